"""inboxes' SQL that is written by hand (PostgreSQL); the rest of the app calls the functions
here and never asks which database it runs on.

``conversations_start`` and ``messages_insert_incoming``: the conversations and messages of a
batch of routed texts (``messages.messages_record_incoming``), each in one ``INSERT … SELECT
FROM unnest(…)`` on PostgreSQL — a parameter per column, not per value, and none of the ORM's
work per field of each object (``bulk_create``'s preparing of values was two thirds of routing a
burst's texts: README, Benchmarks) — and ``bulk_create`` elsewhere (SQLite). Every column is
written: ``inboxes/tests/test_sql.py`` checks the rows equal those ``bulk_create`` writes."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from inboxes.models import Conversation, Direction, Message, MessageStatus, Origin

# The conversations come back in the order given: ``WITH ORDINALITY`` numbers them, and the
# INSERT writes (and returns) the rows as the ordered SELECT yields them.
POSTGRESQL_CONVERSATIONS = """
INSERT INTO {table} (
    organization_id, number_e164, contact_e164, inbox_id, bot, status, assignee_id,
    last_message_at, last_inbound_at, read_at, created_at
)
SELECT organization_id, number_e164, contact_e164, inbox_id, bot, status, assignee_id,
    last_message_at, last_inbound_at, read_at, created_at
FROM unnest(
    %s::bigint[], %s::text[], %s::text[], %s::bigint[], %s::boolean[], %s::text[], %s::bigint[],
    %s::timestamptz[], %s::timestamptz[], %s::timestamptz[], %s::timestamptz[]
) WITH ORDINALITY AS v(
    organization_id, number_e164, contact_e164, inbox_id, bot, status, assignee_id,
    last_message_at, last_inbound_at, read_at, created_at, n
)
ORDER BY n
RETURNING id
"""

# A contact's text: received, from no one of ours, never delivered by us (Message's defaults).
POSTGRESQL_INCOMING = """
INSERT INTO {table} (
    organization_id, conversation_id, body, idempotency_key, direction, status, origin,
    failure_reason, carrier_message_id, sent_by_id, created_at, status_at, send_attempts,
    next_attempt_at
)
SELECT organization_id, conversation_id, body, idempotency_key, %s, %s, %s, '', '', NULL, %s,
    %s, 0, NULL
FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[])
    AS v(organization_id, conversation_id, body, idempotency_key)
"""

# The columns of POSTGRESQL_CONVERSATIONS but the last (``created_at``), as attributes.
_STARTED = (
    "organization_id",
    "number_e164",
    "contact_e164",
    "inbox_id",
    "bot",
    "status",
    "assignee_id",
    "last_message_at",
    "last_inbound_at",
    "read_at",
)


@dataclass(frozen=True)
class IncomingRow:
    """One message of ``messages_insert_incoming``."""

    conversation: Conversation
    body: str
    idempotency_key: str


def conversations_start(conversations: Sequence[Conversation]) -> None:
    """Saves the unsaved ``conversations`` (setting their ids and ``created_at``), in the
    caller's transaction."""
    if not conversations:
        return
    if connection.vendor != "postgresql":
        _conversations_bulk_create(conversations)
        return
    now = timezone.now()
    at = [c.created_at or now for c in conversations]
    columns: list[Any] = [[getattr(c, name) for c in conversations] for name in _STARTED]
    columns.append(at)
    with connection.cursor() as cursor:
        cursor.execute(POSTGRESQL_CONVERSATIONS.format(table=Conversation._meta.db_table), columns)
        ids = [pk for (pk,) in cursor.fetchall()]
    for conversation, pk, created_at in zip(conversations, ids, at, strict=True):
        conversation.pk, conversation.created_at = pk, created_at
        conversation._state.adding = False


def messages_insert_incoming(rows: Sequence[IncomingRow], *, at: datetime) -> None:
    """Inserts a received message for each of ``rows`` (saved conversations), created at
    ``at``, in the caller's transaction."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        _messages_bulk_create(rows, at=at)
        return
    params: list[Any] = [
        Direction.IN.value,
        MessageStatus.RECEIVED.value,
        Origin.SENDER.value,
        at,
        at,
        [row.conversation.organization_id for row in rows],
        [row.conversation.pk for row in rows],
        [row.body for row in rows],
        [row.idempotency_key for row in rows],
    ]
    with connection.cursor() as cursor:
        cursor.execute(POSTGRESQL_INCOMING.format(table=Message._meta.db_table), params)


# The same, through the ORM: SQLite's way, and what the SQL above must write.
def _conversations_bulk_create(conversations: Sequence[Conversation]) -> None:
    Conversation.objects.bulk_create(conversations)


def _messages_bulk_create(rows: Sequence[IncomingRow], *, at: datetime) -> None:
    Message.objects.bulk_create(
        Message(
            organization_id=row.conversation.organization_id,
            conversation=row.conversation,
            direction=Direction.IN,
            body=row.body,
            status=MessageStatus.RECEIVED,
            idempotency_key=row.idempotency_key,
            created_at=at,
        )
        for row in rows
    )
