"""The provisioning engine: buy and submit a number, then poll the carriers until they decide.

Submit (a task per number): walk the area-code preferences (an empty code → the next one; a
number sold since the search → the next candidate), buy with an idempotency key per attempt
(an ambiguous answer is reconciled by that key, so a number is never bought twice), write the
bought number on the row at once, submit it, and record the attempt with a conditional update.
Transport faults never use an attempt. A refusal of the number at submit is a rejection (an
attempt used, the number given back, a new one submitted); a refusal of the use case or the
account fails the order. Every path that abandons a bought number releases it after commit.

Poll (beat, any number of workers): claim due numbers in batches with SKIP LOCKED ordered by
``next_poll_at``, read all their statuses with one carrier call, and apply the results in the
same transaction with a constant number of queries per batch. A rejection or a passed deadline
ends the attempt; the number is released and, if the failure was the number's and attempts are
left, a new one is submitted. A worker killed mid-batch rolls back; the next poll redoes it.
An error inside a batch (the carrier refusing the call, a hook receiver raising) stays in the
batch: its rows are postponed with backoff and the rows behind them are polled as usual.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from notifications.services import notification_enqueue
from phone_numbers.models import IN_FLIGHT, Kind, PhoneNumber
from phone_numbers.models import ProvisioningStatus as S
from provisioning import transitions
from provisioning.carriers import get_carrier
from provisioning.carriers.base import (
    AmbiguousWriteError,
    AvailableNumber,
    CarrierAdapter,
    FailureScope,
    NoInventory,
    NumberUnavailable,
    OwnedNumber,
    PermanentProviderError,
    ProvisioningHandle,
    ProvisioningState,
    ProvisioningStatus,
    RateLimited,
    TransientProviderError,
)
from provisioning.hooks import number_provisioning_finished
from provisioning.models import AttemptOutcome, ProvisioningAttempt
from provisioning.services import SUBMIT_GRACE

logger = logging.getLogger(__name__)

MAX_POLL_INTERVAL = timedelta(hours=1)
# An order whose every area code is empty is retried this many times (backoff) before failing.
NO_INVENTORY_RETRIES = 5
CANDIDATES_PER_AREA_CODE = 5


# --- submit -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SubmitResult:
    outcome: str  # submitted | nothing_to_do | retry | failed
    retry_in: float | None = None


def number_submit(*, phone_number_id: int, retries: int = 0) -> SubmitResult:
    number = (
        PhoneNumber.objects.select_related("use_case")
        .filter(pk=phone_number_id, provisioning_status=S.REQUESTED)
        .first()
    )
    if number is None:
        return SubmitResult("nothing_to_do")
    carrier = get_carrier()
    try:
        owned = _acquire(carrier, number)
        if not _keep_bought(number, owned):
            return _lost_race(number, owned)
        handle = carrier.submit_provisioning(
            number=owned,
            campaign_ref=number.use_case.carrier_reference or f"UC{number.use_case.pk}",
            customer_reference=str(number.idempotency_key),
        )
    except RateLimited as error:
        return _retry(number, error.retry_after, error)
    except TransientProviderError as error:
        return _retry(number, _backoff(retries), error)
    except NoInventory as error:
        if retries >= NO_INVENTORY_RETRIES:
            return _fail_unsubmitted(
                number, f"No numbers available in area codes {error.area_code}."
            )
        return _retry(number, _backoff(retries), error)
    except PermanentProviderError as error:
        if error.scope != FailureScope.NUMBER:
            return _fail_unsubmitted(number, str(error))
        return _reject_unsubmitted(number, str(error))
    return _record_submission(number, owned, handle)


def _acquire(carrier: CarrierAdapter, number: PhoneNumber) -> OwnedNumber:
    key = f"{number.idempotency_key}-{number.attempts + 1}"
    if number.carrier_number_id and number.e164:
        # An earlier try of this attempt bought it (then the submit failed transiently).
        return OwnedNumber(number.e164, number.e164[2:5], number.carrier_number_id, key)
    if number.requested_e164 and number.attempts == 0:
        picked = AvailableNumber(number.requested_e164, number.requested_e164[2:5])
        try:
            return _buy(carrier, key, picked)
        except NumberUnavailable:
            logger.info("%s was sold since the search; walking the area codes", picked.e164)
    for area_code in number.area_codes:
        for candidate in carrier.search_numbers(
            area_code=area_code, quantity=CANDIDATES_PER_AREA_CODE
        ):
            try:
                return _buy(carrier, key, candidate)
            except NumberUnavailable:
                continue
    raise NoInventory(", ".join(number.area_codes))


def _keep_bought(number: PhoneNumber, owned: OwnedNumber) -> bool:
    """Writes the bought number on the row before anything else can fail, so every path that
    abandons it (a release, a failure, a rejection) knows what to give back. False when the
    row moved on meanwhile (released, or a duplicate task submitted it)."""
    if number.carrier_number_id == owned.carrier_number_id:
        return True
    kept = PhoneNumber.objects.filter(
        pk=number.pk, provisioning_status=S.REQUESTED, attempts=number.attempts
    ).update(e164=owned.e164, carrier_number_id=owned.carrier_number_id, updated_at=timezone.now())
    number.e164, number.carrier_number_id = owned.e164, owned.carrier_number_id
    return bool(kept)


def _buy(carrier: CarrierAdapter, key: str, candidate: AvailableNumber) -> OwnedNumber:
    try:
        return carrier.acquire_number(idempotency_key=key, candidate=candidate)
    except AmbiguousWriteError:
        owned = carrier.reconcile(key)
        if owned is None:
            raise
        return owned


def _record_submission(
    number: PhoneNumber, owned: OwnedNumber, handle: ProvisioningHandle
) -> SubmitResult:
    transitions.check(S.REQUESTED, S.INITIATED)
    now = timezone.now()
    first_poll = _poll_interval(timedelta(0))
    with transaction.atomic():
        moved = PhoneNumber.objects.filter(
            pk=number.pk, provisioning_status=S.REQUESTED, attempts=number.attempts
        ).update(
            provisioning_status=S.INITIATED,
            attempts=number.attempts + 1,
            e164=owned.e164,
            carrier_number_id=owned.carrier_number_id,
            carrier_provisioning_ref=handle.ref,
            attempt_started_at=now,
            next_poll_at=now + first_poll,
            updated_at=now,
        )
        if not moved:
            return _lost_race(number, owned)
        ProvisioningAttempt.objects.create(
            phone_number=number,
            n=number.attempts + 1,
            e164=owned.e164,
            area_code=owned.area_code,
            carrier_provisioning_ref=handle.ref,
            started_at=now,
        )
    return SubmitResult("submitted")


def _lost_race(number: PhoneNumber, owned: OwnedNumber) -> SubmitResult:
    """A duplicate task got there first (then ``owned`` is the same number, bought with the
    same key), or the number was released meanwhile: give back what nobody will use."""
    if PhoneNumber.objects.filter(pk=number.pk, provisioning_status=S.RELEASED).exists():
        _release_later(owned.carrier_number_id)
    return SubmitResult("nothing_to_do")


def _retry(number: PhoneNumber, seconds: float, error: Exception) -> SubmitResult:
    logger.info("Submitting number %s again in %.0f s: %s", number.pk, seconds, error)
    # Keep the poller from resending the task while it is merely waiting to retry.
    PhoneNumber.objects.filter(pk=number.pk, provisioning_status=S.REQUESTED).update(
        next_poll_at=timezone.now() + timedelta(seconds=seconds) + SUBMIT_GRACE
    )
    return SubmitResult("retry", retry_in=seconds)


def _fail_unsubmitted(number: PhoneNumber, reason: str) -> SubmitResult:
    """A failure no new number can help (the use case or the account was refused, or nothing
    could be bought): the number fails, and whatever was bought goes back."""
    transitions.check(S.REQUESTED, S.FAILED)
    with transaction.atomic():
        row = _lock_requested(number)
        if row is None:
            return SubmitResult("nothing_to_do")
        row.provisioning_status = S.FAILED
        row.failure_reason = reason
        row.next_poll_at = None
        _give_back(row)
        row.save(update_fields=SUBMIT_ENDED_FIELDS)
        _announce_finished([row])
    return SubmitResult("failed")


def _reject_unsubmitted(number: PhoneNumber, reason: str) -> SubmitResult:
    """The carrier refused this number at submit: like a rejection after polling, it ends an
    attempt, gives the number back, and submits a new one — or fails after the last attempt."""
    with transaction.atomic():
        row = _lock_requested(number)
        if row is None:
            return SubmitResult("nothing_to_do")
        now = timezone.now()
        row.attempts += 1
        ProvisioningAttempt.objects.create(
            phone_number=row,
            n=row.attempts,
            e164=row.e164 or "",
            area_code=(row.e164 or "")[2:5],
            carrier_provisioning_ref="",
            started_at=now,
            ended_at=now,
            outcome=AttemptOutcome.REJECTED,
            reason=reason,
        )
        _give_back(row)
        if row.attempts >= settings.PROVISIONING_MAX_ATTEMPTS:
            transitions.check(S.REQUESTED, S.FAILED)
            row.provisioning_status = S.FAILED
            row.failure_reason = _final_reason(row.attempts, reason)
            row.next_poll_at = None
        else:
            row.failure_reason = reason
            row.next_poll_at = now + SUBMIT_GRACE
            _submit_later([row.pk])
        row.save(update_fields=[*SUBMIT_ENDED_FIELDS, "attempts"])
        if row.provisioning_status == S.FAILED:
            _announce_finished([row])
    logger.info("Number %s was rejected at submit (attempt %s): %s", row.pk, row.attempts, reason)
    return SubmitResult("rejected")


SUBMIT_ENDED_FIELDS = [
    "provisioning_status",
    "failure_reason",
    "next_poll_at",
    "e164",
    "carrier_number_id",
    "updated_at",
]


def _lock_requested(number: PhoneNumber) -> PhoneNumber | None:
    """The row, locked, if it is still ``requested`` at the attempt this task worked on."""
    return (
        PhoneNumber.objects.select_for_update(of=("self",))
        .select_related("requested_by", "use_case")
        .filter(pk=number.pk, provisioning_status=S.REQUESTED, attempts=number.attempts)
        .first()
    )


def _give_back(row: PhoneNumber) -> None:
    """Releases the row's bought number at the carrier after commit and forgets it."""
    if row.carrier_number_id:
        _release_later(row.carrier_number_id)
    row.e164 = None
    row.carrier_number_id = ""


def _final_reason(attempts: int, reason: str) -> str:
    return f"Provisioning failed after {attempts} attempts. Last reason: {reason}"


def _backoff(retries: int) -> float:
    return float(min(300, 2**retries))


# --- poll ---------------------------------------------------------------------------------
@dataclass
class PollReport:
    polled: int = 0
    completed: int = 0
    failed: int = 0
    resubmitted: int = 0
    batches: int = 0
    missing: int = 0  # numbers the carrier left out of its answer (still pending)
    errors: list[str] = field(default_factory=list)


@dataclass
class _Change:
    number: PhoneNumber
    attempt_outcome: str | None = None
    attempt_reason: str = ""
    carrier_number_id: str = ""


def provisioning_poll(*, batch_size: int | None = None) -> PollReport:
    """One pass over every number that is due: batches until a batch comes back short."""
    size = batch_size or settings.PROVISIONING_BATCH_SIZE
    carrier = get_carrier()
    now = timezone.now()
    report = PollReport()
    while _poll_batch(carrier, size, now, report) == size:
        pass
    return report


def provisioning_poll_now(*, phone_number_ids: Sequence[int]) -> PollReport:
    """Asks the carrier about these numbers at once, whatever their schedule, and applies the
    answers as a poll does (``seed_demo`` plays the demo's past with it)."""
    report = PollReport()
    with transaction.atomic():
        rows = list(
            PhoneNumber.objects.select_for_update(of=("self",))
            .select_related("requested_by", "use_case")
            .filter(pk__in=list(phone_number_ids), provisioning_status=S.INITIATED)
            .order_by("id")
        )
        if rows:
            report.batches = 1
            _poll_initiated(get_carrier(), rows, timezone.now(), report)
    return report


def _poll_batch(carrier: CarrierAdapter, size: int, now: datetime, report: PollReport) -> int:
    with transaction.atomic():
        rows = list(
            PhoneNumber.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("requested_by", "use_case")
            .filter(provisioning_status__in=IN_FLIGHT, next_poll_at__lte=now)
            .order_by("next_poll_at", "id")[:size]
        )
        if not rows:
            return 0
        report.batches += 1
        _resend_lost_submits([r for r in rows if r.provisioning_status == S.REQUESTED], now)
        initiated = [r for r in rows if r.provisioning_status == S.INITIATED]
        if initiated:
            _poll_initiated(carrier, initiated, now, report)
    return len(rows)


def _resend_lost_submits(rows: list[PhoneNumber], now: datetime) -> None:
    if not rows:
        return
    ids = [row.pk for row in rows]
    PhoneNumber.objects.filter(pk__in=ids).update(next_poll_at=now + SUBMIT_GRACE)
    _submit_later(ids)


def _poll_initiated(
    carrier: CarrierAdapter, rows: list[PhoneNumber], now: datetime, report: PollReport
) -> None:
    """Reads and applies one batch. Whatever goes wrong stays inside the batch (a savepoint):
    its rows are postponed with backoff and the poll goes on to the rows behind them."""
    delays = {row.pk: _error_delay(row) for row in rows}
    handles = [ProvisioningHandle(r.carrier_provisioning_ref, r.e164 or "") for r in rows]
    try:
        with transaction.atomic():
            statuses = carrier.get_provisioning_statuses(handles)
    except Exception as error:
        logger.warning("Polling %s numbers failed; postponing them: %s", len(rows), error)
        report.errors.append(str(error))
        wait = timedelta(seconds=getattr(error, "retry_after", 0))
        _postpone(rows, {pk: max(delay, wait) for pk, delay in delays.items()}, now)
        return
    changes = [_decide(r, _answer(r, statuses, report), now) for r in rows]
    applied = _apply_guarded(changes, delays, now, report)
    report.polled += len(rows)
    report.completed += sum(c.number.provisioning_status == S.COMPLETE for c in applied)
    report.failed += sum(c.number.provisioning_status == S.FAILED for c in applied)
    report.resubmitted += sum(c.number.provisioning_status == S.REQUESTED for c in applied)


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


def _apply_guarded(
    changes: list[_Change], delays: dict[int, timedelta], now: datetime, report: PollReport
) -> list[_Change]:
    """Applies the batch in one go; if that raises (a hook receiver, say), applies it number
    by number, each in its own savepoint, and postpones only the numbers that still raise."""
    try:
        with transaction.atomic():
            _apply(changes, now)
        return changes
    except Exception:
        logger.exception("Applying a poll batch failed; applying it number by number")
    applied = []
    for change in changes:
        try:
            with transaction.atomic():
                _apply([change], now)
            applied.append(change)
        except Exception as error:
            logger.exception("Number %s: applying its status failed; postponed", change.number.pk)
            report.errors.append(f"number {change.number.pk}: {error}")
            _postpone([change.number], delays, now)
    return applied


def _error_delay(number: PhoneNumber) -> timedelta:
    """Backoff after an error: twice the number's last poll interval, within base … an hour."""
    last = _base_interval()
    if number.next_poll_at and number.updated_at:
        last = number.next_poll_at - number.updated_at
    return min(MAX_POLL_INTERVAL, max(_base_interval(), last * 2))


def _postpone(rows: list[PhoneNumber], delays: dict[int, timedelta], now: datetime) -> None:
    in_flight = PhoneNumber.objects.filter(provisioning_status=S.INITIATED)
    for delay in {delays[row.pk] for row in rows}:
        pks = [row.pk for row in rows if delays[row.pk] == delay]
        in_flight.filter(pk__in=pks).update(next_poll_at=now + delay, updated_at=now)


def _decide(number: PhoneNumber, status: ProvisioningStatus, now: datetime) -> _Change:
    """The new state of one number, in memory."""
    started = number.attempt_started_at or now
    deadline = started + settings.PROVISIONING_ATTEMPT_DEADLINE
    if status.state == ProvisioningState.COMPLETE:
        number.provisioning_status = S.COMPLETE
        number.completed_at = now
        number.next_poll_at = None
        number.failure_reason = ""
        return _Change(number, AttemptOutcome.APPROVED)
    if status.state == ProvisioningState.FAILED:
        return _end_attempt(number, AttemptOutcome.REJECTED, status.reason, status.scope, now)
    if now >= deadline:
        waited = _duration(settings.PROVISIONING_ATTEMPT_DEADLINE)
        reason = f"The carriers did not decide within {waited}."
        return _end_attempt(number, AttemptOutcome.EXPIRED, reason, FailureScope.NUMBER, now)
    number.next_poll_at = now + _poll_interval(now - started)
    return _Change(number)


def _end_attempt(
    number: PhoneNumber, outcome: str, reason: str, scope: FailureScope | None, now: datetime
) -> _Change:
    change = _Change(number, outcome, reason, number.carrier_number_id)
    retry = scope in (None, FailureScope.NUMBER) and (
        number.attempts < settings.PROVISIONING_MAX_ATTEMPTS
    )
    if retry:
        number.provisioning_status = S.REQUESTED
        number.failure_reason = reason
    else:
        number.provisioning_status = S.FAILED
        number.failure_reason = (
            _final_reason(number.attempts, reason)
            if scope in (None, FailureScope.NUMBER)
            else reason
        )
    # The number is given back: a new attempt uses a new number.
    number.e164 = None
    number.carrier_number_id = ""
    number.carrier_provisioning_ref = ""
    number.attempt_started_at = None
    number.next_poll_at = now + SUBMIT_GRACE if retry else None
    return change


ENDED_FIELDS = [
    "provisioning_status",
    "next_poll_at",
    "failure_reason",
    "e164",
    "carrier_number_id",
    "carrier_provisioning_ref",
    "attempt_started_at",
    "updated_at",
]


def _apply(changes: list[_Change], now: datetime) -> None:
    """Writes a batch's results with a bounded number of queries, whatever its size: one
    update for the approved, one per poll interval for the pending (a short fixed ladder), and
    small bulk updates for the attempts that ended. Each is conditional on ``initiated``
    (the rows are locked by this transaction, so the condition holds)."""
    for change in changes:
        if change.number.provisioning_status != S.INITIATED:
            transitions.check(S.INITIATED, change.number.provisioning_status)
        change.number.updated_at = now
    numbers = [c.number for c in changes]
    in_flight = PhoneNumber.objects.filter(provisioning_status=S.INITIATED)
    approved = [n.pk for n in numbers if n.provisioning_status == S.COMPLETE]
    if approved:
        in_flight.filter(pk__in=approved).update(
            provisioning_status=S.COMPLETE,
            completed_at=now,
            next_poll_at=None,
            failure_reason="",
            updated_at=now,
        )
        ProvisioningAttempt.objects.filter(
            phone_number_id__in=approved, outcome=AttemptOutcome.PENDING
        ).update(outcome=AttemptOutcome.APPROVED, ended_at=now)
    pending = [n for n in numbers if n.provisioning_status == S.INITIATED]
    for next_poll_at in {n.next_poll_at for n in pending}:
        pks = [n.pk for n in pending if n.next_poll_at == next_poll_at]
        in_flight.filter(pk__in=pks).update(next_poll_at=next_poll_at, updated_at=now)
    ended = {
        c.number.pk: c
        for c in changes
        if c.attempt_outcome in (AttemptOutcome.REJECTED, AttemptOutcome.EXPIRED)
    }
    if ended:
        in_flight.bulk_update([c.number for c in ended.values()], ENDED_FIELDS)
        _end_attempt_rows(ended, now)
        _after_attempts_ended(list(ended.values()))
    finished = [n for n in numbers if n.provisioning_status in (S.COMPLETE, S.FAILED)]
    if finished:
        _announce_finished(finished)


def _after_attempts_ended(ended: list[_Change]) -> None:
    """Give the numbers back; submit a new number where attempts are left."""
    for change in ended:
        if change.carrier_number_id:
            _release_later(change.carrier_number_id)
    _submit_later([c.number.pk for c in ended if c.number.provisioning_status == S.REQUESTED])


def _submit_later(ids: list[int]) -> None:
    if not ids:
        return
    from provisioning.tasks import submit_number

    transaction.on_commit(lambda: [submit_number.delay(pk) for pk in ids])


def _end_attempt_rows(ended: dict[int, _Change], now: datetime) -> None:
    attempts = list(
        ProvisioningAttempt.objects.filter(
            phone_number_id__in=list(ended), outcome=AttemptOutcome.PENDING
        )
    )
    for attempt in attempts:
        change = ended[attempt.phone_number_id]
        attempt.outcome = change.attempt_outcome or AttemptOutcome.REJECTED
        attempt.reason = change.attempt_reason
        attempt.ended_at = now
    ProvisioningAttempt.objects.bulk_update(attempts, ["outcome", "reason", "ended_at"])


def _release_later(carrier_number_id: str) -> None:
    from provisioning.tasks import release_carrier_number

    transaction.on_commit(lambda: release_carrier_number.delay(carrier_number_id))


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


# --- finishing: e-mails and the hook ------------------------------------------------------
def _announce_finished(numbers: list[PhoneNumber]) -> None:
    """Inside the transaction that finished them: e-mail requesters, then tell the hook."""
    for number in numbers:
        _email_requester(number)
    number_provisioning_finished.send(sender=PhoneNumber, numbers=numbers)


def _email_requester(number: PhoneNumber) -> None:
    person = number.requested_by
    if number.kind not in (Kind.DEDICATED, Kind.REUSABLE) or person is None:
        return  # single-use numbers are announced by their campaign
    status = number.provisioning_status
    notification_enqueue(
        event=f"number:{number.pk}:{status}",
        recipient=person.email,
        template=f"phone_numbers/number_{status}",
        context={
            "number": number,
            "person": person,
            "number_path": reverse("provisioning:number_detail", args=[number.pk]),
        },
        time_zone=number.organization.time_zone,
    )


# --- release at the carrier ---------------------------------------------------------------
def carrier_number_release(*, carrier_number_id: str) -> None:
    """Gives a number back to the carrier; idempotent (the carrier treats unknown as done)."""
    get_carrier().release_number(carrier_number_id=carrier_number_id)
