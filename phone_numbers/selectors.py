from collections.abc import Mapping
from typing import Any

from django.db.models import Case, F, QuerySet, TextField, Value, When
from django.shortcuts import get_object_or_404

from offices.models import Membership, Organization, Role
from phone_numbers.filters import PhoneNumberFilter, inbox_names, sort_segments
from phone_numbers.models import Kind, PhoneNumber, UseCase, UseCaseState
from phone_numbers.pagination import KeysetPage, keyset_page, segmented_page
from phone_numbers.usage import campaign_name_if_in_use, campaign_using, in_use


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
    return _list_rows(
        _valid_filter(organization=organization, membership=membership, params=params)
    )


def phone_number_page(
    *,
    organization: Organization,
    membership: Membership,
    params: Mapping[str, Any],
    cursor: str | None,
    size: int,
) -> KeysetPage:
    """One page of ``phone_number_list(params=params)``: a keyset page, or a segmented one for
    the sorts whose key has few values and no index (office, usage). Raises
    PhoneNumberQueryError or BadCursor."""
    filterset = _valid_filter(organization=organization, membership=membership, params=params)
    numbers = _list_rows(filterset)
    column = str(numbers.query.order_by[0]).lstrip("-").removeprefix("sort_")
    segments = sort_segments(organization=organization, column=column)
    if segments is None:
        return keyset_page(numbers, cursor=cursor, size=size)
    return segmented_page(
        numbers, matching=filterset.matching(), segments=segments, cursor=cursor, size=size
    )


def _valid_filter(
    *, organization: Organization, membership: Membership, params: Mapping[str, Any]
) -> PhoneNumberFilter:
    filterset = phone_number_filter(organization=organization, membership=membership, params=params)
    if not filterset.is_valid():
        raise PhoneNumberQueryError({k: list(v) for k, v in filterset.errors.items()})
    return filterset


def _list_rows(filterset: PhoneNumberFilter) -> QuerySet[PhoneNumber]:
    return filterset.qs.select_related("office").annotate(
        inbox_list=inbox_names(", "),
        in_use=in_use(),
        campaign_id=campaign_using("id"),
        campaign_name=campaign_using("name"),
    )


def phone_number_export_rows(queryset: QuerySet[PhoneNumber]) -> QuerySet[PhoneNumber]:
    """The columns of the CSV export as annotations (``export_*``), in the list's order."""
    return queryset.annotate(
        export_office=F("office__name"),
        # Only reusable numbers have inboxes; the database then skips the lookup for the rest.
        export_inboxes=Case(
            When(kind=Kind.REUSABLE, then=inbox_names(";")),
            default=Value(""),
            output_field=TextField(),
        ),
        # The campaign using the number also says whether it is in use: one lookup, not two.
        export_campaign=campaign_name_if_in_use(),
    )


def phone_number_get(*, organization: Organization, membership: Membership, pk: int) -> PhoneNumber:
    numbers = phone_number_visible(organization=organization, membership=membership)
    return get_object_or_404(numbers.select_related("use_case", "requested_by", "office"), pk=pk)


def use_case_orderable(*, organization: Organization) -> QuerySet[UseCase]:
    """Use cases numbers can be ordered on: the carriers have approved them."""
    return UseCase.objects.filter(organization=organization, state=UseCaseState.ACTIVE)
