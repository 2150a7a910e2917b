from django.contrib import admin

from offices.models import Membership, Office, Organization


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    list_display = ["name", "slug", "time_zone", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin[Office]):
    list_display = ["name", "organization", "number_quota", "idk_default"]
    list_filter = ["organization"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["user", "organization", "role"]
    list_filter = ["organization", "role"]
    search_fields = ["user__email"]
    filter_horizontal = ["offices"]
