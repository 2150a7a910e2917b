"""The inbound webhook's INSERTs of one web process, grouped: the deliveries its threads record
at the same time go to the database as one statement, one commit.

A statement and its commit cost PostgreSQL and the client more than the rows they carry: one
text a statement took ~160 µs of PostgreSQL's CPU and ~90 µs of the web process's, four texts a
statement ~45 and ~24 µs each (README, Benchmarks). Under a carrier's burst many deliveries are
in flight at once, so they are recorded together; no delivery ever waits to be grouped. A thread
that finds no INSERT running runs one at once with what has arrived (its own delivery, and any
that came while it got there); the deliveries that arrive while that statement runs are the next
group, run by the first of them. Each request is answered only after the statement holding its
texts committed, as before: a 200 still means stored.

When a group's statement fails (a value the table refuses, a lost connection), each delivery of
the group runs again alone, so one delivery's fault is its own; a statement that failed wrote
nothing."""

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

Row = Sequence[Any]
# Runs one INSERT of ``rows``; the ids of the rows it created, by carrier message id.
Insert = Callable[[list[Row]], dict[str, int]]


@dataclass(eq=False)
class _Delivery:
    rows: list[Row]
    carrier_message_ids: list[str]
    ready: threading.Event = field(default_factory=threading.Event)
    leads: bool = False
    done: bool = False
    created: dict[str, int] = field(default_factory=dict)
    error: BaseException | None = None


_lock = threading.Lock()
_waiting: list[_Delivery] = []
_running = False


def record_grouped(
    rows: list[Row], carrier_message_ids: list[str], insert: Insert
) -> dict[str, int]:
    """Records ``rows`` (one per text, ``carrier_message_ids`` theirs) with ``insert``, in one
    statement with the rows of the deliveries recorded at the same time by other threads of
    this process. Returns the ids of the rows this delivery created, by carrier message id (a
    text recorded before, or by another delivery of the same group first, has none). Raises
    what ``insert`` raised for this delivery alone."""
    global _running
    delivery = _Delivery(rows, carrier_message_ids)
    with _lock:
        _waiting.append(delivery)
        if not _running:
            _running = delivery.leads = True
    if not delivery.leads:
        delivery.ready.wait()  # done by another thread, or handed the lead
    if not delivery.done:
        _lead(insert)
    if delivery.error is not None:
        raise delivery.error
    return delivery.created


def _lead(insert: Insert) -> None:
    """Runs the waiting deliveries (the leader's among them) as one group, then hands the lead
    to the first delivery that arrived meanwhile, or lets the next arrival take it."""
    global _running
    with _lock:
        group = list(_waiting)
        _waiting.clear()
    try:
        _run(group, insert)
    except BaseException as stopped:
        # The leader's thread is being stopped mid-statement: none of the group may be answered
        # as if its texts were stored (the carrier would never deliver them again).
        for delivery in group:
            delivery.error = stopped
        raise
    finally:
        with _lock:
            if _waiting:
                _waiting[0].leads = True
                _waiting[0].ready.set()
            else:
                _running = False
        for delivery in group:
            delivery.done = True
            delivery.ready.set()


def _run(group: list[_Delivery], insert: Insert) -> None:
    try:
        created = insert([row for delivery in group for row in delivery.rows])
    except Exception as error:
        if len(group) == 1:
            group[0].error = error
            return
        for delivery in group:  # the statement wrote nothing: each alone, its fault its own
            try:
                delivery.created = insert(delivery.rows)
            except Exception as own:
                delivery.error = own
        return
    for delivery in group:  # a text delivered twice in one group is created for the first
        for carrier_message_id in delivery.carrier_message_ids:
            if carrier_message_id in created:
                delivery.created[carrier_message_id] = created.pop(carrier_message_id)
