"""provisioning's SQL that is written by hand (PostgreSQL); the rest of the app calls the
functions here and never asks which database it runs on.

``claim_due_numbers``: the poller's claim as one ``UPDATE … RETURNING`` over a ``SKIP LOCKED``
subquery on PostgreSQL — one statement, committed by itself, no transaction round trips — and
the same claim through the ORM in a short transaction elsewhere (SQLite).

``numbers_move_unmoved``: the door's write of one kind of step for a whole batch (an approval)
as one conditional ``UPDATE … WHERE status = <read> AND attempts = <read> RETURNING`` that also
ends the moved numbers' open attempts (a data-modifying ``WITH``): only the numbers still where
their callers read them move, and the rows it returns are the proof. Elsewhere the same through
the ORM under the caller's transaction."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, F, Field, Q, Value, When

from phone_numbers.models import IN_FLIGHT, AttemptOutcome, PhoneNumber, ProvisioningAttempt
from phone_numbers.models import ProvisioningStatus as S

# A claim that is lost in a crash of the database costs nothing: its numbers are due again and
# the door applies each answer once. So a claim that is its own transaction does not wait for
# its commit to reach the disk (``synchronous_commit`` off for that transaction alone, set by the
# statement itself: one round trip, no flush — a flush costs more than the claim).
POSTGRESQL_CLAIM = """
WITH async_commit AS MATERIALIZED (
    SELECT CASE WHEN %(own_transaction)s
        THEN set_config('synchronous_commit', 'off', true) END
)
UPDATE {table} AS n SET
    next_poll_at = CASE WHEN n.provisioning_status = %(requested)s
        THEN %(lease)s ELSE n.next_poll_at END,
    poll_leased_until = CASE WHEN n.provisioning_status = %(requested)s
        THEN NULL ELSE %(lease)s END
FROM (
    SELECT id FROM {table}
    WHERE provisioning_status = ANY(%(in_flight)s) AND next_poll_at <= %(now)s
        AND (poll_leased_until IS NULL OR poll_leased_until <= %(now)s)
    ORDER BY next_poll_at, id
    LIMIT %(size)s
    FOR UPDATE SKIP LOCKED
) AS due, async_commit
WHERE n.id = due.id
RETURNING {columns}
"""


def claim_due_numbers(
    *, fields: Sequence[str], size: int, now: datetime, lease: datetime
) -> list[PhoneNumber]:
    """Up to ``size`` numbers due at ``now`` that no lease holds, oldest schedule first, claimed
    until ``lease``: a submitted number by ``poll_leased_until`` (a column no index covers, so
    the write is a HOT update), a ``requested`` one by ``next_poll_at`` (it leaves the due range).
    Only ``fields`` are read; a ``requested`` number's ``next_poll_at`` is read as its lease.
    Rows locked by another claim are skipped. Ordered by id."""
    if connection.vendor != "postgresql":
        return _orm_claim(fields=fields, size=size, now=now, lease=lease)
    # ``from_db`` takes a partial row's values in the model's field order.
    names = [f.attname for f in PhoneNumber._meta.concrete_fields if f.attname in fields]
    columns = [_column(name) for name in names]
    sql = POSTGRESQL_CLAIM.format(
        table=PhoneNumber._meta.db_table,
        columns=", ".join(f"n.{connection.ops.quote_name(c)}" for c in columns),
    )
    params: dict[str, Any] = {
        "requested": S.REQUESTED.value,
        "in_flight": [status.value for status in IN_FLIGHT],
        "now": now,
        "lease": lease,
        "size": size,
        # Inside a caller's transaction the setting would hold for all of it: left alone.
        "own_transaction": not connection.in_atomic_block,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return sorted(
        (PhoneNumber.from_db(connection.alias, names, row) for row in rows),
        key=lambda number: number.pk,
    )


def _column(name: str) -> str:
    field = PhoneNumber._meta.get_field(name)
    assert isinstance(field, Field)  # a concrete column of the number's row
    return str(field.column)


def _orm_claim(
    *, fields: Sequence[str], size: int, now: datetime, lease: datetime
) -> list[PhoneNumber]:
    with transaction.atomic():
        rows = list(
            PhoneNumber.objects.select_for_update(skip_locked=True, of=("self",))
            .only(*fields)
            .filter(provisioning_status__in=IN_FLIGHT, next_poll_at__lte=now)
            .exclude(poll_leased_until__gt=now)
            .order_by("next_poll_at", "id")[:size]
        )
        requested = Q(provisioning_status=S.REQUESTED)
        PhoneNumber.objects.filter(pk__in=[row.pk for row in rows]).update(
            # An unchanged indexed column keeps the update HOT: the value is compared.
            next_poll_at=Case(When(requested, then=Value(lease)), default=F("next_poll_at")),
            poll_leased_until=Case(When(requested, then=None), default=Value(lease)),
        )
    for row in rows:
        if row.provisioning_status == S.REQUESTED:
            row.next_poll_at = lease
    return sorted(rows, key=lambda number: number.pk)


POSTGRESQL_MOVE = """
WITH moved AS (
    UPDATE {numbers} AS n SET {changes}
    FROM unnest(%(ids)s::bigint[], %(attempts)s::integer[]) AS read (id, attempts)
    WHERE n.id = ANY(%(ids)s::bigint[]) AND n.id = read.id AND n.attempts = read.attempts
        AND n.provisioning_status = %(source)s
    RETURNING {columns}
), ended AS (
    UPDATE {attempts} AS a SET outcome = %(outcome)s, ended_at = %(ended_at)s
    FROM moved
    WHERE a.phone_number_id = moved.id AND a.outcome = %(pending)s
)
SELECT * FROM moved
"""


def numbers_move_unmoved(
    *,
    read: Sequence[tuple[int, int]],
    source: str,
    changes: dict[str, Any],
    outcome: str,
    ended_at: datetime,
) -> list[PhoneNumber]:
    """Writes ``changes`` to each number of ``read`` (id, attempts as read) that is still in
    ``source`` at that attempt, and ends its open attempt with ``outcome``: one statement on
    PostgreSQL. Returns the numbers it moved, whole, as written (ordered by id). Call it inside
    a transaction: the rows stay locked until it ends."""
    if not read:
        return []
    if connection.vendor != "postgresql":
        return _orm_move(read=read, source=source, changes=changes, outcome=outcome, at=ended_at)
    fields = PhoneNumber._meta.concrete_fields
    quote = connection.ops.quote_name
    sql = POSTGRESQL_MOVE.format(
        numbers=PhoneNumber._meta.db_table,
        attempts=ProvisioningAttempt._meta.db_table,
        changes=", ".join(f"{quote(_column(name))} = %(set_{name})s" for name in changes),
        columns=", ".join(f"n.{quote(str(field.column))}" for field in fields),
    )
    params: dict[str, Any] = {
        "ids": [pk for pk, _ in read],
        "attempts": [attempts for _, attempts in read],
        "source": source,
        "outcome": outcome,
        "ended_at": ended_at,
        "pending": AttemptOutcome.PENDING.value,
    }
    for name, value in changes.items():
        field = PhoneNumber._meta.get_field(name)
        assert isinstance(field, Field)
        params[f"set_{name}"] = field.get_db_prep_save(value, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    names = [field.attname for field in fields]
    return sorted(
        (PhoneNumber.from_db(connection.alias, names, row) for row in rows),
        key=lambda number: number.pk,
    )


def _orm_move(
    *,
    read: Sequence[tuple[int, int]],
    source: str,
    changes: dict[str, Any],
    outcome: str,
    at: datetime,
) -> list[PhoneNumber]:
    # The guard grouped by attempt count: a batch holds few distinct counts.
    by_attempts: dict[int, list[int]] = {}
    for pk, attempts in read:
        by_attempts.setdefault(attempts, []).append(pk)
    guard = Q()
    for attempts, pks in by_attempts.items():
        guard |= Q(attempts=attempts, pk__in=pks)
    rows = list(
        PhoneNumber.objects.select_for_update(of=("self",))
        .filter(guard, provisioning_status=source)
        .order_by("pk")
    )
    moved = [row.pk for row in rows]
    PhoneNumber.objects.filter(pk__in=moved).update(**changes)
    ProvisioningAttempt.objects.filter(
        phone_number_id__in=moved, outcome=AttemptOutcome.PENDING
    ).update(outcome=outcome, ended_at=at)
    for row in rows:
        for name, value in changes.items():
            setattr(row, name, value)
    return rows
