"""The CSV columns of a phone-number export, defined once (DESIGN.md, "Public contract").

The Django admin's import/export uses this resource directly; the streamed export
(``phone_numbers.export``) reads the same columns' headers and attributes, so both agree.
"""

from datetime import UTC, datetime
from typing import Any

from django.db.models import QuerySet
from import_export import fields, resources

from phone_numbers.models import PhoneNumber
from phone_numbers.neutralise import neutralise
from phone_numbers.selectors import phone_number_export_rows

# Text people type: a spreadsheet would run it as a formula if it started with = + - @.
FREE_TEXT_COLUMNS = frozenset({"name", "description", "office", "agent", "inboxes", "campaign"})


def usage_value(campaign: str | None) -> str:
    # "" is a campaign the person may not see: the number is in use all the same.
    return "available" if campaign is None else "in_use"


def created_at_value(created_at: datetime) -> str:
    return created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class PhoneNumberResource(resources.ModelResource):
    number = fields.Field("e164", "number")
    name = fields.Field("name", "name")
    description = fields.Field("description", "description")
    kind = fields.Field("kind", "kind")
    office = fields.Field("export_office", "office")
    agent = fields.Field("agent", "agent")
    response_type = fields.Field("response_type", "response_type")
    inboxes = fields.Field("export_inboxes", "inboxes")
    provisioning_status = fields.Field("provisioning_status", "provisioning_status")
    # In use exactly when a launching/active campaign is on it (phone_numbers.usage).
    usage = fields.Field("export_campaign", "usage")
    campaign = fields.Field("export_campaign", "campaign")
    created_at = fields.Field("created_at", "created_at")

    class Meta:
        model = PhoneNumber
        fields = export_order = (
            "number",
            "name",
            "description",
            "kind",
            "office",
            "agent",
            "response_type",
            "inboxes",
            "provisioning_status",
            "usage",
            "campaign",
            "created_at",
        )

    def filter_export(self, queryset: QuerySet, **kwargs: Any) -> QuerySet:
        # The Django admin's export is an operator's: every campaign is named.
        return phone_number_export_rows(queryset.select_related(None), membership=None)

    def export_field(self, field: fields.Field, instance: Any, **kwargs: Any) -> Any:
        value = getattr(instance, field.attribute or "")
        if field.column_name == "usage":
            return usage_value(value)
        if field.column_name == "created_at":
            return created_at_value(value)
        if value is None:
            return ""
        return neutralise(value) if field.column_name in FREE_TEXT_COLUMNS else value


def export_columns() -> list[tuple[str, str]]:
    """(CSV header, queryset attribute) of every exported column, in order."""
    return [
        (str(field.column_name), str(field.attribute))
        for field in PhoneNumberResource().get_export_fields()
    ]
