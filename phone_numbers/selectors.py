from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from django.db.models import Case, F, QuerySet, TextField, Value, When
from django.shortcuts import get_object_or_404

from offices.models import Membership, Office, Organization, Role
from phone_numbers.filters import PhoneNumberFilter, inbox_names
from phone_numbers.models import Kind, PhoneNumber, ProvisioningAttempt, UseCase, UseCaseState
from phone_numbers.pagination import KeysetPage, keyset_page
from phone_numbers.usage import campaign_name_if_in_use, campaigns_using

# What a row of the Phone Numbers list shows (templates/jinja2/phone_numbers/list_body.html);
# the rest of the number is left unread.
LIST_COLUMNS = (
    "e164",
    "name",
    "description",
    "kind",
    "office_name",
    "agent",
    "response_type",
    "inbox_names",
    "provisioning_status",
    "failure_reason",
    "in_use",
    "created_at",
)


class NumberRow:
    """A number as a row of the list: its LIST_COLUMNS and ``id`` as attributes, read as plain
    values; fifty-one PhoneNumber instances cost a tenth of the page's time. What the row says
    of its status is the number's own rule (the model's properties)."""

    id: int
    in_use: bool
    # Set by phone_number_page.
    campaign_id: int | None
    campaign_name: str

    is_in_flight = PhoneNumber.is_in_flight
    holds_a_number = PhoneNumber.holds_a_number

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__ = values

    @property
    def pk(self) -> int:
        return self.id


class PhoneNumberQueryError(Exception):
    """The list's query string has values we cannot use; ``errors`` says which and why."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


def phone_number_visible(
    *, organization: Organization, membership: Membership
) -> QuerySet[PhoneNumber]:
    """Numbers the person may see: all of the organization's for an admin; for an office member
    the dedicated and single-use numbers plus the reusable numbers of their own offices."""
    numbers = PhoneNumber.objects.filter(organization=organization)
    if membership.role == Role.ADMIN:
        return numbers
    return numbers.exclude(kind=Kind.REUSABLE) | numbers.filter(
        kind=Kind.REUSABLE, office__in=membership.offices.values("id")
    )


def phone_number_filter(
    *, organization: Organization, membership: Membership, params: Mapping[str, Any]
) -> PhoneNumberFilter:
    return PhoneNumberFilter(
        params,
        organization=organization,
        membership=membership,
        queryset=phone_number_visible(organization=organization, membership=membership),
    )


def phone_number_list(
    *, organization: Organization, membership: Membership, params: Mapping[str, Any]
) -> QuerySet[PhoneNumber]:
    """The Phone Numbers list: visible numbers, filtered, searched and sorted as ``params``
    (the query string) asks, ordered by (sort key, id). Raises PhoneNumberQueryError."""
    return _valid(
        phone_number_filter(organization=organization, membership=membership, params=params)
    ).qs


def phone_number_page(
    *,
    filterset: PhoneNumberFilter,
    organization: Organization,
    membership: Membership,
    cursor: str | None,
    size: int,
) -> KeysetPage:
    """One keyset page (of NumberRow) of the list that ``filterset`` (``phone_number_filter``)
    selects: one range scan of the sort key's index at any depth, then one lookup of the
    campaigns using the page's numbers in use (``row.campaign_id`` and ``campaign_name``, where
    the person may open the campaign). Raises PhoneNumberQueryError or BadCursor."""
    if filterset.organization != organization:
        raise ValueError("The filterset belongs to another organization.")
    page = keyset_page(_valid(filterset).qs, fields=LIST_COLUMNS, cursor=cursor, size=size)
    rows = [NumberRow(values) for values in page.rows]
    using = campaigns_using(
        [row.pk for row in rows if row.in_use], offices=campaign_offices_named(membership)
    )
    for row in rows:
        row.campaign_id, row.campaign_name = using.get(row.pk, (None, ""))
    return replace(page, rows=rows)


def _valid(filterset: PhoneNumberFilter) -> PhoneNumberFilter:
    if not filterset.is_valid():
        raise PhoneNumberQueryError({k: list(v) for k, v in filterset.errors.items()})
    return filterset


def campaign_offices_named(membership: Membership | None) -> QuerySet[Office] | None:
    """The offices whose campaigns the list and export may name beside a number in use: any
    (None) for an admin or an operator; a member's own offices otherwise, as they can open
    only those campaigns. A number in use by another office's campaign shows "In Use" alone."""
    if membership is None or membership.role == Role.ADMIN:
        return None
    return membership.offices.all()


def phone_number_export_rows(
    queryset: QuerySet[PhoneNumber], *, membership: Membership | None
) -> QuerySet[PhoneNumber]:
    """The columns of the CSV export as annotations (``export_*``), in the list's order.
    ``membership`` is the person exporting; None for an operator (command, Django admin)."""
    return queryset.annotate(
        export_office=F("office_name"),
        # Only reusable numbers have inboxes; the database then skips the lookup for the rest.
        export_inboxes=Case(
            When(kind=Kind.REUSABLE, then=inbox_names(";")),
            default=Value(""),
            output_field=TextField(),
        ),
        # The campaign using the number also says whether it is in use: one lookup, not two.
        export_campaign=campaign_name_if_in_use(offices=campaign_offices_named(membership)),
    )


def phone_number_get(*, organization: Organization, membership: Membership, pk: int) -> PhoneNumber:
    numbers = phone_number_visible(organization=organization, membership=membership)
    return get_object_or_404(numbers.select_related("use_case", "requested_by", "office"), pk=pk)


def use_case_orderable(*, organization: Organization) -> QuerySet[UseCase]:
    """Use cases numbers can be ordered on: the carriers have approved them."""
    return UseCase.objects.filter(organization=organization, state=UseCaseState.ACTIVE)


def phone_number_attempts(*, phone_number: PhoneNumber) -> QuerySet[ProvisioningAttempt]:
    """The number's provisioning attempts, first to last (its history on its page)."""
    return ProvisioningAttempt.objects.filter(phone_number=phone_number).order_by("n")
