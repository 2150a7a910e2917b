from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from offices.models import Membership, Office, Organization, Role


def office_visible(*, organization: Organization, membership: Membership) -> QuerySet[Office]:
    """Offices the person may see: every office for an admin, their own for a member."""
    offices = Office.objects.filter(organization=organization)
    if membership.role != Role.ADMIN:
        offices = offices.filter(memberships=membership)
    return offices.order_by("name", "pk")


def office_list(*, organization: Organization, membership: Membership) -> QuerySet[Office]:
    """The Offices page: the visible offices with their inbox and member counts."""
    return office_visible(organization=organization, membership=membership).annotate(
        inbox_count=Count("inboxes", distinct=True),
        member_count=Count("memberships", distinct=True),
    )


def office_choices(*, organization: Organization, membership: Membership) -> list[tuple[int, str]]:
    """(id, name) of the visible offices, for a drop-down: one lean query, read at once."""
    return list(
        office_visible(organization=organization, membership=membership).values_list("pk", "name")
    )


def office_get(*, organization: Organization, membership: Membership, pk: int) -> Office:
    return get_object_or_404(office_list(organization=organization, membership=membership), pk=pk)


def member_list(*, organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .prefetch_related("offices")
        .order_by("user__email")
    )
