"""Recording texts and moving an outgoing message along its delivery status — the one door.

queued ──carrier accepted──▶ sent ──carrier reports──▶ delivered
   │                           │
   └──────────refused──────────┴──────carrier reports──▶ failed (+ the carrier's reason)

A report that arrives twice, late, or out of order finds its step missing from the table and
changes nothing, so carriers' retried callbacks are harmless.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from inboxes.models import (
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    MessageStatus,
    Origin,
)
from inboxes.sql import IncomingRow, conversations_start, messages_insert_incoming
from offices.models import Organization

QUEUED, SENT, DELIVERED, FAILED = (
    MessageStatus.QUEUED,
    MessageStatus.SENT,
    MessageStatus.DELIVERED,
    MessageStatus.FAILED,
)
STATUS_MOVES = {(QUEUED, SENT), (QUEUED, FAILED), (SENT, DELIVERED), (SENT, FAILED)}
# A new message's delivery task runs at once; a sweep takes a message still queued after this
# (its task was lost: the broker was down at commit).
FIRST_DELIVERY_GRACE = timedelta(minutes=2)


def conversation_start(
    *,
    organization: Organization,
    number_e164: str,
    contact_e164: str,
    last_message_at: datetime | None = None,
) -> Conversation:
    """A new conversation; ``last_message_at`` when the caller records its first message at
    that time next (``message_record_outgoing(at=…)``), which then need not update it."""
    return Conversation.objects.create(
        organization=organization,
        number_e164=number_e164,
        contact_e164=contact_e164,
        last_message_at=last_message_at,
    )


def message_record_outgoing(
    *,
    conversation: Conversation,
    body: str,
    idempotency_key: str,
    sent_by: User | None,
    origin: str = Origin.SENDER,
    key_is_new: bool = False,
    at: datetime | None = None,
) -> tuple[Message, bool]:
    """Records a queued message once per key; returns it and whether this call created it.

    Runs in the caller's transaction. It inserts first: the key is unique, so a key already
    recorded (a lost race, a retry) fails the insert inside a savepoint, which keeps the caller's
    transaction usable, and the earlier message is read then — a look-up before every insert
    would cost each new message a statement. ``key_is_new``: the caller holds a lock under
    which the key cannot have been recorded (an initial message: its contact is locked and not
    yet texted), so the insert goes without the savepoint's two round trips; were the key there
    after all, the unique constraint still fails the caller's transaction rather than record it
    twice. ``at``: the message's time (now if not given); the conversation's last message
    time is set to it unless the conversation already says it."""
    created_at = at or timezone.now()
    fields = {
        "organization_id": conversation.organization_id,
        "conversation": conversation,
        "direction": Direction.OUT,
        "body": body,
        "status": QUEUED,
        "idempotency_key": idempotency_key,
        "sent_by": sent_by,
        "origin": origin,
        "created_at": created_at,
        "next_attempt_at": created_at + FIRST_DELIVERY_GRACE,
    }
    if key_is_new:
        message = Message.objects.create(**fields)
    else:
        try:
            with transaction.atomic():
                message = Message.objects.create(**fields)
        except IntegrityError:
            return Message.objects.get(idempotency_key=idempotency_key), False
    if conversation.last_message_at != created_at:
        conversation.last_message_at = created_at
        Conversation.objects.filter(pk=conversation.pk).update(last_message_at=created_at)
    return message, True


def message_record_incoming(
    *,
    conversation: Conversation,
    body: str,
    idempotency_key: str,
    key_is_new: bool = False,
    needs_attention: bool = False,
) -> Message:
    """Records a text the contact sent, once per key; the conversation becomes unread and, with
    ``needs_attention``, waits in Needs Attention (in the same write).

    ``key_is_new``: the caller holds a lock under which the key cannot have been recorded (the
    router's, on an unrouted text whose messages commit with its routing), so the insert goes
    without the look-up and savepoint of ``get_or_create``; were the key there after all, the
    unique constraint fails the caller's transaction rather than record it twice."""
    fields = {
        "organization_id": conversation.organization_id,
        "conversation": conversation,
        "direction": Direction.IN,
        "body": body,
        "status": MessageStatus.RECEIVED,
    }
    if key_is_new:
        message, created = Message.objects.create(idempotency_key=idempotency_key, **fields), True
    else:
        message, created = Message.objects.get_or_create(
            idempotency_key=idempotency_key, defaults=fields
        )
    if created:
        conversation.last_message_at = conversation.last_inbound_at = message.created_at
        changed = ["last_message_at", "last_inbound_at"]
        if needs_attention:
            conversation.status = ConversationStatus.NEEDS_ATTENTION
            changed.append("status")
        conversation.save(update_fields=changed)
    return message


@dataclass(frozen=True)
class Incoming:
    """A text a contact sent, for ``messages_record_incoming``: one message in each of its
    conversations, keyed ``{key}:{conversation id}``."""

    conversations: Sequence[Conversation]
    body: str
    key: str


def messages_record_incoming(texts: Sequence[Incoming]) -> None:
    """Records many texts contacts sent, in order, each conversation left unread and waiting in
    Needs Attention — what ``message_record_incoming(key_is_new=True, needs_attention=True)``
    does for one, in three statements whatever the number of texts: the conversations not
    saved yet are started (already carrying their last message), the messages inserted, the
    other conversations updated. The texts are recorded at one time, in order of their ids
    (messages sort by time, then id). Runs in the caller's transaction; the caller holds a lock
    under which none of the keys can have been recorded (the router's, on unrouted texts)."""
    at = timezone.now()
    new: dict[int, Conversation] = {}  # by identity: unsaved conversations have no id yet
    known: set[int] = set()
    for text in texts:
        for conversation in text.conversations:
            conversation.last_message_at = conversation.last_inbound_at = at
            conversation.status = ConversationStatus.NEEDS_ATTENTION
            if conversation.pk is None:
                new[id(conversation)] = conversation
            else:
                known.add(conversation.pk)
    conversations_start(list(new.values()))
    messages_insert_incoming(
        [
            IncomingRow(conversation, text.body, f"{text.key}:{conversation.pk}")
            for text in texts
            for conversation in text.conversations
        ],
        at=at,
    )
    if known:
        Conversation.objects.filter(pk__in=known).update(
            last_message_at=at, last_inbound_at=at, status=ConversationStatus.NEEDS_ATTENTION
        )


@transaction.atomic
def message_status_move(
    *, message_id: int, to: str, reason: str = "", carrier_message_id: str = ""
) -> bool:
    """Moves the message to ``to`` if the table allows it; False (and nothing changed) if not."""
    message = Message.objects.select_for_update().get(pk=message_id)
    if (message.status, to) not in STATUS_MOVES:
        return False
    message.status = to
    message.failure_reason = reason[:300]
    message.status_at = timezone.now()
    fields = ["status", "failure_reason", "status_at"]
    if carrier_message_id:
        message.carrier_message_id = carrier_message_id
        fields.append("carrier_message_id")
    message.save(update_fields=fields)
    return True
