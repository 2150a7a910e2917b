from django.contrib import admin
from import_export.admin import ExportMixin

from phone_numbers.models import PhoneNumber, UseCase
from phone_numbers.resources import PhoneNumberResource


@admin.register(PhoneNumber)
class PhoneNumberAdmin(ExportMixin, admin.ModelAdmin[PhoneNumber]):
    """Operators export from here (the same columns as the Phone Numbers page). There is no
    import: a number only comes into being through provisioning."""

    resource_classes = [PhoneNumberResource]
    list_display = ["e164", "kind", "organization", "office", "provisioning_status", "created_at"]
    list_filter = ["kind", "provisioning_status", "organization"]
    search_fields = ["e164", "name", "description"]
    list_select_related = ["organization", "office"]
    raw_id_fields = ["requested_by", "use_case", "office"]


@admin.register(UseCase)
class UseCaseAdmin(admin.ModelAdmin[UseCase]):
    list_display = ["name", "organization", "state", "carrier_reference"]
    list_filter = ["state", "organization"]
