"""inboxes/sql.py: the hand-written INSERTs of routed texts write exactly the rows the ORM's
``bulk_create`` (SQLite's way) writes, every column, and give each object its own row's id."""

from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from inboxes.models import Conversation, ConversationStatus, Message
from inboxes.sql import (
    IncomingRow,
    _conversations_bulk_create,
    _messages_bulk_create,
    conversations_start,
    messages_insert_incoming,
)
from inboxes.tests.factories import InboxFactory
from offices.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


AT = timezone.now() - timedelta(minutes=5)


def _conversations(inbox, *, at=AT, **fields) -> list[Conversation]:
    return [
        Conversation(
            organization=inbox.organization,
            number_e164="+14155550100",
            contact_e164=f"+1212555{n:04d}",
            inbox=inbox if n % 2 else None,
            bot=n % 3 == 0,
            status=ConversationStatus.NEEDS_ATTENTION if n % 2 else ConversationStatus.OPEN,
            last_message_at=at,
            last_inbound_at=at if n % 2 else None,
            **fields,
        )
        for n in range(7)
    ]


def _row(instance, *, without: tuple[str, ...]) -> dict:
    values = model_to_dict(type(instance).objects.get(pk=instance.pk))
    return {key: value for key, value in values.items() if key not in without}


def test_started_conversations_are_those_bulk_create_writes_in_the_order_given():
    inbox = InboxFactory()
    assignee = UserFactory()
    by_sql = _conversations(inbox, assignee=assignee)
    by_orm = _conversations(inbox, assignee=assignee)

    conversations_start(by_sql)
    _conversations_bulk_create(by_orm)

    assert all(c.pk is not None and not c._state.adding for c in by_sql)
    assert len({c.pk for c in by_sql}) == len(by_sql)
    for sql, orm in zip(by_sql, by_orm, strict=True):
        # Each object got its own row's id (the contact tells them apart).
        assert Conversation.objects.get(pk=sql.pk).contact_e164 == sql.contact_e164
        assert _row(sql, without=("id", "created_at")) == _row(orm, without=("id", "created_at"))
        saved = Conversation.objects.get(pk=sql.pk)
        assert saved.created_at == sql.created_at
        assert abs(saved.created_at - Conversation.objects.get(pk=orm.pk).created_at) < timedelta(
            seconds=30
        )


def test_incoming_messages_are_those_bulk_create_writes():
    inbox = InboxFactory()
    conversations = _conversations(inbox)
    conversations_start(conversations)
    at = timezone.now()
    bodies = ["Hello?", "STOP please", "", "x" * 1600, "Ünïcødé ✓ 'quoted' \"too\" \\ %s"]
    rows = [
        IncomingRow(conversation, body, f"in:{n}:sql")
        for n, (conversation, body) in enumerate(zip(conversations, bodies, strict=False))
    ]
    messages_insert_incoming(rows, at=at)
    _messages_bulk_create(
        [
            IncomingRow(r.conversation, r.body, r.idempotency_key.replace("sql", "orm"))
            for r in rows
        ],
        at=at,
    )

    for row in rows:
        sql = Message.objects.get(idempotency_key=row.idempotency_key)
        orm = Message.objects.get(idempotency_key=_orm_key(row))
        without = ("id", "idempotency_key", "status_at")
        assert _row(sql, without=without) == _row(orm, without=without)
        assert sql.body == row.body
        assert sql.created_at == at
        assert abs(sql.status_at - orm.status_at) < timedelta(seconds=30)


def _orm_key(row: IncomingRow) -> str:
    return row.idempotency_key.replace("sql", "orm")


def test_nothing_to_insert_runs_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        conversations_start([])
        messages_insert_incoming([], at=timezone.now())
