"""Reusable numbers' rules: the office quota, inboxes of the number's own office, and editing
the defaults. Ordering a number is ``provisioning.services.number_order``, which calls these."""

from collections.abc import Iterable

from django.db import transaction

from inboxes.models import Inbox
from offices.models import Office, Organization
from phone_numbers.models import Kind, PhoneNumber, ProvisioningStatus, ResponseType


class ReusableNumberError(Exception):
    """A reusable number's settings cannot be saved. ``field`` names the form field at fault."""

    field: str | None = None

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        if field is not None:
            self.field = field


class OfficeQuotaFull(ReusableNumberError):
    field = "office"


def office_reusable_count(*, office: Office) -> int:
    """The office's reusable numbers that count against its quota (a failed one does not:
    its number was given back to the carrier)."""
    return PhoneNumber.objects.filter(office=office).counting_against_quota().count()


def office_quota_reserve(*, organization: Organization, office: Office) -> Office:
    """Locks the office row, then refuses when the office already holds its quota. Call it in
    the transaction that adds the number: the lock makes two adds at quota - 1 take turns."""
    locked = Office.objects.select_for_update().get(pk=office.pk, organization=organization)
    held = office_reusable_count(office=locked)
    if held >= locked.number_quota:
        raise OfficeQuotaFull(
            f"{locked.name} holds {held} of its {locked.number_quota} reusable numbers, its "
            "quota. Release one of them, or ask an admin to raise the office's number quota."
        )
    return locked


def reusable_defaults_check(
    *, organization: Organization, office: Office | None, inboxes: Iterable[Inbox]
) -> list[Inbox]:
    """The number's office is the organization's, and its inboxes are that office's."""
    if office is None or office.organization_id != organization.pk:
        raise ReusableNumberError(
            "A reusable number belongs to an office; choose one.", field="office"
        )
    inboxes = list(inboxes)
    foreign = [inbox.name for inbox in inboxes if inbox.office_id != office.pk]
    if foreign:
        raise ReusableNumberError(
            f"{', '.join(foreign)} {'is' if len(foreign) == 1 else 'are'} not an inbox of "
            f"{office.name}; choose among the inboxes of {office.name}.",
            field="inboxes",
        )
    return inboxes


def response_type_or_default(response_type: str) -> str:
    """Agent-backed unless chosen otherwise: an incoming message then waits for a person."""
    if response_type and response_type not in ResponseType.values:
        raise ReusableNumberError(
            f"“{response_type}” is not a response type; choose Agent-backed or Bot-backed.",
            field="response_type",
        )
    return response_type or ResponseType.AGENT


@transaction.atomic
def reusable_number_update(
    *,
    phone_number: PhoneNumber,
    name: str,
    description: str,
    office: Office,
    agent: str,
    inboxes: Iterable[Inbox],
    response_type: str,
) -> PhoneNumber:
    """Changes a reusable number's defaults. Its number and kind never change; moving it to
    another office takes a place in that office's quota, and waits until no launching or
    active campaign uses the number (the campaign belongs to the office it was set up in)."""
    number = PhoneNumber.objects.select_for_update().get(pk=phone_number.pk)
    if number.kind != Kind.REUSABLE:
        raise ReusableNumberError("Only a reusable number has defaults to edit.")
    if number.provisioning_status == ProvisioningStatus.RELEASED:
        raise ReusableNumberError("This number was released; its settings can no longer change.")
    inboxes = reusable_defaults_check(
        organization=number.organization, office=office, inboxes=inboxes
    )
    if office.pk != number.office_id:
        if number.in_use:
            raise ReusableNumberError(
                "A launching or active campaign is using this number, so it stays in its "
                "office until that campaign is archived.",
                field="office",
            )
        office_quota_reserve(organization=number.organization, office=office)
    number.name, number.description, number.agent = name, description, agent
    number.office = office
    number.response_type = response_type_or_default(response_type)
    number.save(
        update_fields=["name", "description", "agent", "office", "response_type", "updated_at"]
    )
    number.inboxes.set(inboxes)
    return number
