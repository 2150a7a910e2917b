from django.db.models import Count, F, Q, QuerySet
from django.shortcuts import get_object_or_404

from inboxes.models import ConversationStatus, Inbox
from offices.models import Membership, Organization, Role


def inbox_list(*, organization: Organization, membership: Membership) -> QuerySet[Inbox]:
    """Inboxes the person may see: all for an admin, those of their offices for a member."""
    inboxes = Inbox.objects.filter(organization=organization).select_related("office")
    if membership.role != Role.ADMIN:
        inboxes = inboxes.filter(office__memberships=membership)
    return inboxes.order_by("office__name", "name")


def inbox_list_with_unread(
    *, organization: Organization, membership: Membership
) -> QuerySet[Inbox]:
    """The Inboxes page: each inbox with its conversations that have unread messages, and
    those in Needs Attention."""
    unread = Q(conversations__last_inbound_at__isnull=False) & (
        Q(conversations__read_at__isnull=True)
        | Q(conversations__last_inbound_at__gt=F("conversations__read_at"))
    )
    return inbox_list(organization=organization, membership=membership).annotate(
        unread=Count("conversations", filter=unread),
        needs_attention=Count(
            "conversations", filter=Q(conversations__status=ConversationStatus.NEEDS_ATTENTION)
        ),
    )


def inbox_get(*, organization: Organization, membership: Membership, pk: int) -> Inbox:
    return get_object_or_404(inbox_list(organization=organization, membership=membership), pk=pk)
