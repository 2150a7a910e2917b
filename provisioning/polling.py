"""Polling (beat, any number of workers side by side): ask the carriers about every number in
flight, resend lost submits, and sweep releases the carrier has not confirmed.

A batch is claimed in a short transaction — due rows, ``SKIP LOCKED``, ordered by
``next_poll_at``, held for a lease (``_claim``) — and committed before the carrier is called, so
no row lock is held across the carrier's network calls. The batch's statuses are read with one
carrier call; if that call fails they are read number by number, and only the numbers whose own
read fails are held back (a transient error until their next ordinary poll, any other error with
a doubling wait up to an hour). The results go through the door (``provisioning.transitions``),
which applies each only if the number is still where the poll read it. A worker killed after its
claim loses nothing: the numbers are due again when the lease ends; the door's write of an
answer (or the new schedule of a pending number) ends it at once. Where the provider tells the
carriers apart, each carrier's decision is upserted beside the answer (the carrier panel). The
statements per batch stay the same whatever its size.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.celery import enqueue_on_commit
from phone_numbers.models import AttemptOutcome, PhoneNumber
from phone_numbers.models import ProvisioningStatus as S
from provisioning.carriers import get_carrier
from provisioning.carriers.base import (
    CarrierAdapter,
    FailureScope,
    ProvisioningHandle,
    ProvisioningState,
    ProvisioningStatus,
    TransientProviderError,
)
from provisioning.models import CarrierStatus
from provisioning.releasing import releases_sweep
from provisioning.sql import claim_due_numbers
from provisioning.transitions import (
    LEASE,
    SUBMIT_TASK,
    Move,
    attempt_failed,
    number_transitions,
)

logger = logging.getLogger(__name__)

MAX_POLL_INTERVAL = timedelta(hours=1)
# What a poll reads of a claimed number: the carrier's handle, the door's guard (status and
# attempt), and the schedule its next poll or its backoff is worked out from. The door reads
# and writes the whole row under its lock; the claim needs no more than this.
CLAIMED_FIELDS = (
    "id",
    "provisioning_status",
    "attempts",
    "e164",
    "carrier_provisioning_ref",
    "attempt_started_at",
    "next_poll_at",
    "updated_at",
)


@dataclass
class PollReport:
    polled: int = 0
    completed: int = 0
    failed: int = 0
    resubmitted: int = 0
    batches: int = 0
    missing: int = 0  # numbers the carrier left out of its answer (still pending)
    released: int = 0  # releases the sweep got the carrier to confirm
    errors: list[str] = field(default_factory=list)


def provisioning_poll(*, batch_size: int | None = None) -> PollReport:
    """One pass over every number that is due (batches until one comes back short), then over
    every release that is due."""
    size = batch_size or settings.PROVISIONING_BATCH_SIZE
    carrier = get_carrier()
    now = timezone.now()
    report = PollReport()
    while True:
        rows = _claim(size, now)
        if rows:
            report.batches += 1
            initiated = [row for row in rows if row.provisioning_status == S.INITIATED]
            if initiated:
                _poll(carrier, initiated, now, report)
        if len(rows) < size:
            break
    report.released = releases_sweep(carrier=carrier, now=now, batch_size=size)
    return report


def provisioning_poll_now(*, phone_number_ids: Sequence[int]) -> PollReport:
    """Asks the carrier about these numbers at once, whatever their schedule, and applies the
    answers as a poll does (``seed_demo`` plays the demo's past with it)."""
    report = PollReport()
    rows = list(
        PhoneNumber.objects.filter(pk__in=list(phone_number_ids), provisioning_status=S.INITIATED)
        .select_related("requested_by", "use_case")
        .order_by("id")
    )
    if rows:
        report.batches = 1
        _poll(get_carrier(), rows, timezone.now(), report)
    return report


def _claim(size: int, now: datetime) -> list[PhoneNumber]:
    """Claims due numbers for this worker for a lease, and resends the submits of the
    ``requested`` ones among them (their task was lost).

    A submitted number is held by ``poll_leased_until``, which no index covers: the claim is
    a HOT update, and the door's write of the answer ends the lease. A ``requested`` one is
    pushed a lease ahead instead (``next_poll_at``), so that numbers whose submit keeps
    getting lost (the broker down) leave the due range rather than being stepped over by
    every claim until their lease ends. One statement on PostgreSQL (``provisioning.sql``),
    committed before the carrier is called."""
    # The lease runs from the claim, not from the start of the pass (``now``, which keeps
    # the rows this pass pushed ahead from being claimed by it again).
    rows = claim_due_numbers(
        fields=CLAIMED_FIELDS, size=size, now=now, lease=timezone.now() + LEASE
    )
    for row in rows:
        if row.provisioning_status == S.REQUESTED:
            enqueue_on_commit(SUBMIT_TASK, row.pk)
    return rows


def _poll(
    carrier: CarrierAdapter, rows: list[PhoneNumber], now: datetime, report: PollReport
) -> None:
    statuses, errors = _read(carrier, rows)
    held = {row.pk: _hold_back(row, errors[row.pk], now) for row in rows if row.pk in errors}
    for pk, error in errors.items():
        report.errors.append(f"number {pk}: {error}")
    moves: list[Move] = []
    pending: list[tuple[PhoneNumber, datetime]] = []
    for row in rows:
        if row.pk in errors:
            continue
        decided = _decide(row, _answer(row, statuses, report), now)
        if isinstance(decided, Move):
            moves.append(decided)
        else:
            pending.append((row, decided))
    # The carriers' own words are written with the answers they explain: the pending numbers'
    # new schedule in this transaction, the moves through the door right after it.
    records = _carrier_records(rows, statuses)
    if records or pending:
        with transaction.atomic():
            _record_carriers(records)
            _reschedule(pending, now)
    applied = _apply(moves=moves, held=held, report=report)
    _reschedule([(row, now + held[row.pk]) for row in rows if row.pk in held], now)
    report.polled += len(rows) - len(errors)
    report.completed += sum(n.provisioning_status == S.COMPLETE for n in applied)
    report.failed += sum(n.provisioning_status == S.FAILED for n in applied)
    report.resubmitted += sum(n.provisioning_status == S.REQUESTED for n in applied)


def _read(
    carrier: CarrierAdapter, rows: list[PhoneNumber]
) -> tuple[dict[str, ProvisioningStatus], dict[int, Exception]]:
    """Every status in one call; if that fails, number by number, so an error holds back
    only the numbers it concerns."""
    handles = [ProvisioningHandle(row.carrier_provisioning_ref, row.e164 or "") for row in rows]
    try:
        return carrier.get_provisioning_statuses(handles), {}
    except Exception as error:
        logger.warning("Reading %s statuses at once failed (%s); one by one", len(rows), error)
    statuses: dict[str, ProvisioningStatus] = {}
    errors: dict[int, Exception] = {}
    for row, handle in zip(rows, handles, strict=True):
        try:
            statuses[handle.ref] = carrier.get_provisioning_status(handle)
        except Exception as error:
            logger.warning("Number %s: reading its status failed; held back: %s", row.pk, error)
            errors[row.pk] = error
    return statuses, errors


def _hold_back(number: PhoneNumber, error: Exception, now: datetime) -> timedelta:
    """How long a number whose status could not be read waits: a transient error until its
    next ordinary poll (or the carrier's Retry-After), any other one twice its last wait."""
    if isinstance(error, TransientProviderError):
        ordinary = _poll_interval(now - (number.attempt_started_at or now))
        return max(ordinary, timedelta(seconds=getattr(error, "retry_after", 0)))
    return _error_delay(number)


def _answer(
    number: PhoneNumber, statuses: dict[str, ProvisioningStatus], report: PollReport
) -> ProvisioningStatus:
    """The carrier's answer for a number; one it left out is still pending (and counted)."""
    status = statuses.get(number.carrier_provisioning_ref)
    if status is None:
        logger.warning(
            "The carrier did not answer for %s (%s)", number.pk, number.carrier_provisioning_ref
        )
        report.missing += 1
        return ProvisioningStatus(ProvisioningState.PENDING)
    return status


def _decide(number: PhoneNumber, status: ProvisioningStatus, now: datetime) -> Move | datetime:
    """The number's move, or — still pending — when to poll it next."""
    started = number.attempt_started_at or now
    if status.state == ProvisioningState.COMPLETE:
        return Move(number, S.COMPLETE, AttemptOutcome.APPROVED)
    if status.state == ProvisioningState.FAILED:
        return attempt_failed(
            number, outcome=AttemptOutcome.REJECTED, reason=status.reason, scope=status.scope
        )
    if now >= started + settings.PROVISIONING_ATTEMPT_DEADLINE:
        waited = _duration(settings.PROVISIONING_ATTEMPT_DEADLINE)
        reason = f"The carriers did not decide within {waited}."
        return attempt_failed(
            number, outcome=AttemptOutcome.EXPIRED, reason=reason, scope=FailureScope.NUMBER
        )
    return now + _poll_interval(now - started)


def _apply(
    *, moves: list[Move], held: dict[int, timedelta], report: PollReport
) -> list[PhoneNumber]:
    """Applies the batch's moves at once; if that raises (a hook receiver, say), number by
    number, each in its own transaction, holding back only the numbers that still raise."""
    try:
        return number_transitions(moves=moves)
    except Exception:
        logger.exception("Applying a poll batch failed; applying it number by number")
    applied = []
    for move in moves:
        try:
            applied += number_transitions(moves=[move])
        except Exception as error:
            logger.exception("Number %s: applying its status failed; postponed", move.number.pk)
            report.errors.append(f"number {move.number.pk}: {error}")
            held[move.number.pk] = _error_delay(move.number)
    return applied


def _carrier_records(
    rows: list[PhoneNumber], statuses: dict[str, ProvisioningStatus]
) -> list[CarrierStatus]:
    """Each carrier's decision on each number answered, for the attempt the poll read."""
    return [
        CarrierStatus(
            phone_number_id=row.pk,
            carrier=decision.carrier,
            attempt=row.attempts,
            state=decision.state,
            since=decision.since,
            reason=decision.reason,
        )
        for row in rows
        if row.carrier_provisioning_ref in statuses
        for decision in statuses[row.carrier_provisioning_ref].carriers
    ]


def _record_carriers(records: list[CarrierStatus]) -> None:
    """Upserts the carriers' decisions (the carrier panel): one statement for the batch."""
    if records:
        CarrierStatus.objects.bulk_create(
            records,
            update_conflicts=True,
            unique_fields=["phone_number", "carrier"],
            update_fields=["attempt", "state", "since", "reason"],
        )


def _reschedule(rows: list[tuple[PhoneNumber, datetime]], now: datetime) -> None:
    """Sets when each still-initiated number is polled next: one update per distinct time
    (the interval ladder keeps them few)."""
    in_flight = PhoneNumber.objects.filter(provisioning_status=S.INITIATED)
    for when in {when for _, when in rows}:
        pks = [row.pk for row, at in rows if at == when]
        in_flight.filter(pk__in=pks).update(
            next_poll_at=when, poll_leased_until=None, updated_at=now
        )


def _error_delay(number: PhoneNumber) -> timedelta:
    """Backoff after an error: twice the number's last poll interval (as read before the
    claim), within base … an hour."""
    last = _base_interval()
    if number.next_poll_at and number.updated_at:
        last = number.next_poll_at - number.updated_at
    return min(MAX_POLL_INTERVAL, max(_base_interval(), last * 2))


def _base_interval() -> timedelta:
    return timedelta(seconds=settings.PROVISIONING_POLL_SECONDS)


def _poll_interval(age: timedelta) -> timedelta:
    """Growing intervals: the longest step of the ladder base, 2 base, 4 base, … (up to an
    hour) that is at most half the time waited so far. A fixed ladder keeps the pending rows
    of a batch in a few groups, each written with one update."""
    half = min(age / 2, MAX_POLL_INTERVAL)
    interval = _base_interval()
    while interval * 2 <= half:
        interval *= 2
    return MAX_POLL_INTERVAL if half >= MAX_POLL_INTERVAL else interval


def _duration(value: timedelta) -> str:
    hours = value.total_seconds() / 3600
    if hours >= 1:
        return f"{hours:g} h"
    return f"{value.total_seconds():g} s"
