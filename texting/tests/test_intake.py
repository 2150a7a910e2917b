"""Deliveries recorded at the same time by one process's threads go to the database as one
statement (texting/intake.py); each is answered only once its texts are stored, and a delivery
the table refuses fails alone."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import DataError, connection, connections, transaction

from inboxes.models import InboundMessage
from tests.waiting import wait_for
from texting import intake, webhooks
from texting.tests.helpers import CONTACT

AT = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)


def row(message_id: str, *, to: str = "+19995550100") -> tuple[object, ...]:
    return ("simulated", message_id, to, CONTACT, "Hello?", AT)


@pytest.fixture
def statements(monkeypatch) -> list[list[str]]:
    """The carrier message ids of each INSERT the webhook runs, as it runs them."""
    ran: list[list[str]] = []
    original = webhooks._insert_once

    def insert_once(rows):
        ran.append([r[1] for r in rows])
        return original(rows)

    monkeypatch.setattr(webhooks, "_insert_once", insert_once)
    return ran


class Deliveries:
    """Threads that each record one delivery, while the table is held so that the first one's
    INSERT waits and the others gather behind it."""

    def __init__(self, rows: list[tuple[object, ...]]) -> None:
        self.rows = rows
        self.created: list[dict[str, int]] = []  # each delivery's answer
        self.errors: dict[str, BaseException] = {}
        self.threads = [threading.Thread(target=self._record, args=(r,)) for r in rows]

    def _record(self, r: tuple[object, ...]) -> None:
        try:
            self.created.append(intake.record_grouped([r], [str(r[1])], webhooks._insert_once))
        except BaseException as error:  # the test reads it
            self.errors[str(r[1])] = error
        finally:
            connections.close_all()

    def run(self) -> None:
        holder = connections.create_connection("default")
        try:
            with holder.cursor() as cursor:
                holder.set_autocommit(False)
                # INSERT needs ROW EXCLUSIVE, which SHARE refuses: the first delivery waits.
                cursor.execute(f"LOCK TABLE {InboundMessage._meta.db_table} IN SHARE MODE")
                self.threads[0].start()
                wait_for(
                    lambda: intake._running and not intake._waiting,
                    what="the first delivery taken for its INSERT",
                )
                for thread in self.threads[1:]:
                    thread.start()
                wait_for(
                    lambda: len(intake._waiting) == len(self.threads) - 1,
                    what="the other deliveries waiting",
                )
                holder.commit()
        finally:
            holder.close()
        for thread in self.threads:
            thread.join(timeout=30)
            assert not thread.is_alive()


@pytest.mark.django_db(transaction=True)
def test_deliveries_that_arrive_while_an_insert_runs_are_recorded_by_one_statement(
    statements,
) -> None:
    deliveries = Deliveries([row(f"SIMIN-{n}") for n in range(6)])

    deliveries.run()

    assert deliveries.errors == {}
    assert statements[0] == ["SIMIN-0"]
    assert sorted(statements[1]) == [f"SIMIN-{n}" for n in range(1, 6)]
    assert len(statements) == 2
    stored = dict(InboundMessage.objects.values_list("carrier_message_id", "pk"))
    assert len(stored) == 6
    # Each delivery was answered with its own text's row.
    assert sorted(deliveries.created, key=str) == sorted(
        ({mid: pk} for mid, pk in stored.items()), key=str
    )


@pytest.mark.django_db(transaction=True)
def test_a_text_delivered_twice_in_one_group_is_created_once(statements) -> None:
    deliveries = Deliveries([row("SIMIN-0"), row("SIMIN-1"), row("SIMIN-1")])

    deliveries.run()

    assert deliveries.errors == {}
    assert len(statements) == 2  # the first, then the two together
    assert InboundMessage.objects.filter(carrier_message_id="SIMIN-1").count() == 1
    # One of the two deliveries created it; the other finds it recorded before.
    assert sum("SIMIN-1" in answer for answer in deliveries.created) == 1
    assert sum(answer == {} for answer in deliveries.created) == 1


@pytest.mark.django_db(transaction=True)
def test_a_delivery_the_table_refuses_fails_alone(statements) -> None:
    too_long = row("SIMIN-bad", to="+1" + "9" * 40)
    deliveries = Deliveries([row("SIMIN-0"), row("SIMIN-1"), too_long, row("SIMIN-2")])

    deliveries.run()

    assert set(deliveries.errors) == {"SIMIN-bad"}
    assert isinstance(deliveries.errors["SIMIN-bad"], DataError)
    # The group's statement failed and wrote nothing; each of its deliveries ran again alone.
    assert len(statements) == 2 + 3
    assert sorted(InboundMessage.objects.values_list("carrier_message_id", flat=True)) == [
        "SIMIN-0",
        "SIMIN-1",
        "SIMIN-2",
    ]
    assert intake._running is False
    assert intake._waiting == []


@pytest.mark.django_db
def test_a_lone_delivery_runs_at_once_in_the_callers_transaction(statements) -> None:
    with transaction.atomic():
        created = intake.record_grouped([row("SIMIN-0")], ["SIMIN-0"], webhooks._insert_once)
        assert connection.in_atomic_block

    assert list(created) == ["SIMIN-0"]
    assert statements == [["SIMIN-0"]]
    assert intake._running is False


@pytest.mark.django_db(transaction=True)
def test_a_group_whose_thread_is_stopped_answers_none_of_its_deliveries_as_stored(
    monkeypatch, statements
) -> None:
    spy = webhooks._insert_once

    def stopped_on_groups(rows):
        if len(rows) > 1:
            raise SystemExit("the worker is stopping")
        return spy(rows)

    monkeypatch.setattr(webhooks, "_insert_once", stopped_on_groups)
    deliveries = Deliveries([row(f"SIMIN-{n}") for n in range(4)])

    deliveries.run()

    # The first ran alone and was stored; each of the group behind it is answered with the
    # error (a 500: the carrier delivers it again), none as recorded before.
    assert deliveries.created == [{"SIMIN-0": InboundMessage.objects.get().pk}]
    assert sorted(deliveries.errors) == ["SIMIN-1", "SIMIN-2", "SIMIN-3"]
    assert all(isinstance(e, SystemExit) for e in deliveries.errors.values())
    assert intake._running is False
    assert intake._waiting == []
