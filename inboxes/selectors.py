from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from inboxes.models import Inbox
from offices.models import Membership, Organization, Role


def inbox_list(*, organization: Organization, membership: Membership) -> QuerySet[Inbox]:
    """Inboxes the person may see: all for an admin, those of their offices for a member."""
    inboxes = Inbox.objects.filter(organization=organization).select_related("office")
    if membership.role != Role.ADMIN:
        inboxes = inboxes.filter(office__memberships=membership)
    return inboxes.order_by("office__name", "name")


def inbox_get(*, organization: Organization, membership: Membership, pk: int) -> Inbox:
    return get_object_or_404(inbox_list(organization=organization, membership=membership), pk=pk)
