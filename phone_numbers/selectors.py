from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from offices.models import Membership, Organization, Role
from phone_numbers.models import Kind, PhoneNumber, UseCase, UseCaseState


def phone_number_visible(
    *, organization: Organization, membership: Membership
) -> QuerySet[PhoneNumber]:
    """Numbers the person may see: all for an admin; for a member, the numbers that are not
    reusable and the reusable numbers of their offices."""
    numbers = PhoneNumber.objects.filter(organization=organization)
    if membership.role != Role.ADMIN:
        numbers = numbers.filter(~Q(kind=Kind.REUSABLE) | Q(office__memberships=membership))
    return numbers


def phone_number_get(*, organization: Organization, membership: Membership, pk: int) -> PhoneNumber:
    numbers = phone_number_visible(organization=organization, membership=membership)
    return get_object_or_404(numbers.select_related("use_case", "requested_by", "office"), pk=pk)


def use_case_orderable(*, organization: Organization) -> QuerySet[UseCase]:
    """Use cases numbers can be ordered on: the carriers have approved them."""
    return UseCase.objects.filter(organization=organization, state=UseCaseState.ACTIVE)
