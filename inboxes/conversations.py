"""An inbox conversation's status — the one door — and who works it.

needs_attention ──agent replies──▶ open ──close──▶ closed ──reopen──▶ open
      │  ▲                                          │
      │  └────────────── the contact writes ────────┘   (routing: back to Needs Attention)
      └──close──▶ closed
"""

from django.db import transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from inboxes.models import Conversation, ConversationStatus, Inbox
from offices.models import Membership, Organization, Role

NEEDS_ATTENTION, OPEN, CLOSED = (
    ConversationStatus.NEEDS_ATTENTION,
    ConversationStatus.OPEN,
    ConversationStatus.CLOSED,
)
MOVES = {
    "answer": ({NEEDS_ATTENTION}, OPEN),
    "close": ({NEEDS_ATTENTION, OPEN}, CLOSED),
    "reopen": ({CLOSED}, OPEN),
    "attention": ({OPEN, CLOSED, NEEDS_ATTENTION}, NEEDS_ATTENTION),
}


class ConversationError(Exception):
    pass


@transaction.atomic
def conversation_move(*, conversation: Conversation, action: str) -> bool:
    """Applies ``action`` if the conversation's status allows it; False (unchanged) if not."""
    sources, to = MOVES[action]
    changed = Conversation.objects.filter(pk=conversation.pk, status__in=sources).update(status=to)
    if changed:
        conversation.status = to
    return bool(changed)


def conversation_read(*, conversation: Conversation) -> None:
    conversation.read_at = timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(read_at=conversation.read_at)


def office_people(*, inbox: Inbox) -> QuerySet[User]:
    """Who may be assigned an inbox's conversation: the office's members and the admins."""
    return (
        User.objects.filter(
            Q(memberships__offices=inbox.office_id)
            | Q(memberships__role=Role.ADMIN, memberships__organization=inbox.organization_id),
            memberships__organization=inbox.organization_id,
        )
        .distinct()
        .order_by("email")
    )


def conversation_assign(*, conversation: Conversation, assignee: User | None) -> None:
    if assignee is not None and (
        conversation.inbox is None
        or not office_people(inbox=conversation.inbox).filter(pk=assignee.pk).exists()
    ):
        raise ConversationError("Only a person of the inbox's office can be assigned.")
    conversation.assignee = assignee
    conversation.save(update_fields=["assignee"])


# --- reads ------------------------------------------------------------------------------------
UNREAD = Q(last_inbound_at__isnull=False) & (
    Q(read_at__isnull=True) | Q(last_inbound_at__gt=F("read_at"))
)


def conversation_visible(
    *, organization: Organization, membership: Membership
) -> QuerySet[Conversation]:
    """Conversations the person may open: every one for an admin; for a member, those in the
    inboxes of their offices."""
    conversations = Conversation.objects.filter(organization=organization)
    if membership.role != Role.ADMIN:
        conversations = conversations.filter(inbox__office__memberships=membership)
    return conversations


def conversation_get(
    *, organization: Organization, membership: Membership, pk: int
) -> Conversation:
    return get_object_or_404(
        conversation_visible(organization=organization, membership=membership).select_related(
            "inbox__office", "assignee"
        ),
        pk=pk,
    )


def inbox_tab(*, inbox: Inbox, status: str) -> QuerySet[Conversation]:
    return (
        Conversation.objects.filter(inbox=inbox, status=status)
        .select_related("assignee")
        .annotate(unread=ExpressionWrapper(UNREAD, output_field=BooleanField()))
        .order_by(F("last_message_at").desc(nulls_last=True), "-id")
    )


def inbox_tab_counts(*, inbox: Inbox) -> dict[str, int]:
    counts = dict(
        Conversation.objects.filter(inbox=inbox)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in ConversationStatus.values}


def conversations_elsewhere(*, organization: Organization) -> QuerySet[Conversation]:
    """Admins' list of conversations in no inbox: undelivered, numbers outside campaigns, the
    bot's, and campaigns'."""
    return (
        Conversation.objects.filter(organization=organization, inbox__isnull=True)
        .exclude(last_inbound_at__isnull=True)
        .annotate(unread=ExpressionWrapper(UNREAD, output_field=BooleanField()))
        .order_by(F("last_message_at").desc(nulls_last=True), "-id")
    )
