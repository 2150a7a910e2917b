"""The provisioning state machine: its allowed moves, written once, and the one door every change
of a number's ``provisioning_status`` goes through (DESIGN.md, "Numbers").

requested ──submit──▶ initiated ──carriers approve──▶ complete ──release──▶ released
  │  ▲                    │
  │  └── carrier rejects ─┤ (or the deadline passes): a new number, attempt n+1
  │                       └── last attempt, or a use-case / account failure ──▶ failed
  ├── refused at submit: stays requested with a new number, attempt n+1
  └── nothing to buy, the use case refused, or refused on the last attempt ──▶ failed
Any state but released ──release──▶ released.

``number_transitions`` (and ``number_transition`` for one number) is that door. It checks each
step against ``TRANSITIONS`` (a step the table does not allow raises ``InvalidTransition``),
applies only the moves whose numbers are still where their callers read them (status and
attempt; else someone else moved the number first, and the move is skipped), and in one
transaction writes the status with the fields of the step, opens or ends the attempt's row,
gives an abandoned carrier number back (``provisioning.releasing``: a durable release row,
released after commit), schedules the resubmit of a number that needs a new one, and announces
the numbers that reached a final state — e-mail to their requester and
``provisioning.hooks.number_provisioning_finished``. A batch of moves costs the same number of
statements whatever its size.

Approvals, the bulk of every poll, all write the same values: the batch's approvals are one
conditional ``UPDATE … RETURNING`` (``provisioning.sql.numbers_move_unmoved``) that moves only
the numbers still ``initiated`` at the attempt read, ends their attempts in the same statement,
and returns the rows it moved — nothing is read first. The other steps differ number by number
and need what the caller did not read (the carrier number to give back): their rows are locked
and read, changed in memory (``_step``), and written with one ``bulk_update``.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils import timezone

from config.celery import enqueue_on_commit
from notifications.services import notification_enqueue
from phone_numbers.models import AttemptOutcome, Kind, PhoneNumber, ProvisioningAttempt
from phone_numbers.models import ProvisioningStatus as S
from provisioning.carriers.base import FailureScope
from provisioning.hooks import number_provisioning_finished
from provisioning.releasing import GiveBack, numbers_give_back
from provisioning.sql import numbers_move_unmoved

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.REQUESTED, S.INITIATED): "submitted to the carriers",
    (S.REQUESTED, S.REQUESTED): "refused at submit; a new number will be submitted",
    (S.REQUESTED, S.FAILED): "nothing could be bought, the use case was refused, or the "
    "number was refused at submit on the last attempt",
    (S.INITIATED, S.COMPLETE): "the carriers approved the number",
    (S.INITIATED, S.REQUESTED): "the attempt failed; a new number will be submitted",
    (S.INITIATED, S.FAILED): "the last attempt failed, or the failure was the use case's",
    (S.REQUESTED, S.RELEASED): "released before it was submitted",
    (S.INITIATED, S.RELEASED): "released while the carriers decided",
    (S.COMPLETE, S.RELEASED): "released",
    (S.FAILED, S.RELEASED): "released",
}

# A number that was ordered, resubmitted or claimed by a poll is not due again for this long:
# time enough for its submit task or the poll's carrier call. One that was lost (a broker
# outage, a killed worker) is picked up by the poller after it.
LEASE = timedelta(seconds=60)
# Named, not imported: the tasks module imports the engine, never the other way round.
SUBMIT_TASK = "provisioning.tasks.submit_number"

# What the steps other than an approval write (``_apply_others``).
FIELDS = [
    "provisioning_status",
    "attempts",
    "e164",
    "carrier_number_id",
    "carrier_provisioning_ref",
    "attempt_started_at",
    "next_poll_at",
    "poll_leased_until",
    "failure_reason",
    "released_at",
    "updated_at",
]


# Single-use numbers are announced by their campaign, the others e-mail their requester.
EMAILED_KINDS = (Kind.DEDICATED, Kind.REUSABLE)


class InvalidTransition(Exception):
    pass


def check(source: str, target: str) -> str:
    """The reason a transition is allowed; raises InvalidTransition when it is not."""
    try:
        return TRANSITIONS[(source, target)]
    except KeyError:
        raise InvalidTransition(f"A number cannot go from {source} to {target}.") from None


@dataclass(frozen=True)
class Submission:
    """What the carrier sold and accepted for provisioning (the step to ``initiated``)."""

    e164: str
    carrier_number_id: str
    ref: str


@dataclass(frozen=True)
class Move:
    """One number's step. ``number`` is the row as the caller read it: its status and attempt
    count are the guard. ``outcome`` ends the current attempt (for a number refused at submit,
    the attempt it just used); ``reason`` is the attempt's, ``failure_reason`` the number's."""

    number: PhoneNumber
    to: str
    outcome: str | None = None
    reason: str = ""
    failure_reason: str = ""
    submission: Submission | None = None


def attempt_failed(
    number: PhoneNumber, *, outcome: str, reason: str, scope: FailureScope | None
) -> Move:
    """The move that ends an unsuccessful attempt: a new attempt with a new number while
    attempts are left and the failure was the number's, else ``failed``."""
    used = number.attempts + (number.provisioning_status == S.REQUESTED)
    numbers_fault = scope in (None, FailureScope.NUMBER)
    if numbers_fault and used < settings.PROVISIONING_MAX_ATTEMPTS:
        return Move(number, S.REQUESTED, outcome, reason, failure_reason=reason)
    final = f"Provisioning failed after {used} attempts. Last reason: {reason}"
    return Move(number, S.FAILED, outcome, reason, final if numbers_fault else reason)


def number_transition(*, move: Move) -> PhoneNumber | None:
    """Applies one move; the updated row, or None when the number had moved on meanwhile."""
    applied = number_transitions(moves=[move])
    return applied[0] if applied else None


def number_transitions(*, moves: Sequence[Move]) -> list[PhoneNumber]:
    """Applies the moves whose numbers are still where their callers read them, in one
    transaction, and returns those rows as updated (locked), in the order of ``moves``."""
    for move in moves:
        check(move.number.provisioning_status, move.to)
    if not moves:
        return []
    now = timezone.now()
    approvals = [move for move in moves if _is_approval(move)]
    others = [move for move in moves if not _is_approval(move)]
    with transaction.atomic():
        rows = _apply_others(others, now) + _approve(approvals, now)
        finished = [row for row in rows if row.provisioning_status in (S.COMPLETE, S.FAILED)]
        if finished:
            _announce_finished(finished)
    applied = {row.pk: row for row in rows}
    return [applied.pop(move.number.pk) for move in moves if move.number.pk in applied]


def _is_approval(move: Move) -> bool:
    """The one step into ``complete``; it ends the attempt as approved."""
    return move.to == S.COMPLETE


def _approve(moves: list[Move], now: datetime) -> list[PhoneNumber]:
    """The approvals: one conditional update of the numbers still initiated at the attempt
    their callers read, which ends those attempts too, and returns the rows it moved."""
    return numbers_move_unmoved(
        read=[(move.number.pk, move.number.attempts) for move in moves],
        source=S.INITIATED,
        changes={
            "provisioning_status": S.COMPLETE,
            "completed_at": now,
            "next_poll_at": None,
            "poll_leased_until": None,  # the poll that held it is answered
            "failure_reason": "",
            "updated_at": now,
        },
        outcome=AttemptOutcome.APPROVED,
        ended_at=now,
    )


def _apply_others(moves: list[Move], now: datetime) -> list[PhoneNumber]:
    """Every other step: lock and read the rows, skip the ones that moved meanwhile, change
    them in memory and write them back, with their attempts and given-back numbers."""
    if not moves:
        return []
    locked = {
        row.pk: row
        for row in PhoneNumber.objects.select_for_update(of=("self",))
        .filter(pk__in=[move.number.pk for move in moves])
        .order_by("pk")
    }
    steps = [(m, locked[m.number.pk]) for m in moves if _unmoved(m.number, locked)]
    if not steps:
        return []
    attempts = _Attempts()
    given_back = [_step(move, row, now, attempts) for move, row in steps]
    rows = [row for _, row in steps]
    # These steps differ row by row: one bulk_update (a CASE per row and field costs Python
    # time in proportion, affordable for the rarer rejections, failures and releases).
    PhoneNumber.objects.bulk_update(rows, FIELDS)
    attempts.write(now)
    numbers_give_back(numbers=[g for g in given_back if g is not None])
    for row in rows:
        if row.provisioning_status == S.REQUESTED:
            enqueue_on_commit(SUBMIT_TASK, row.pk)
    return rows


def _unmoved(read: PhoneNumber, locked: dict[int, PhoneNumber]) -> bool:
    row = locked.get(read.pk)
    return (
        row is not None
        and row.provisioning_status == read.provisioning_status
        and row.attempts == read.attempts
    )


class _Attempts:
    """The attempt rows a batch opens and ends, written with a fixed number of statements."""

    def __init__(self) -> None:
        self.new: list[ProvisioningAttempt] = []
        self.ended: dict[int, tuple[str, str]] = {}  # number id → (outcome, reason)

    def write(self, now: datetime) -> None:
        if self.new:
            ProvisioningAttempt.objects.bulk_create(self.new)
        if not self.ended:
            return
        pending = list(
            ProvisioningAttempt.objects.filter(
                outcome=AttemptOutcome.PENDING, phone_number_id__in=list(self.ended)
            )
        )
        for attempt in pending:
            attempt.outcome, attempt.reason = self.ended[attempt.phone_number_id]
            attempt.ended_at = now
        ProvisioningAttempt.objects.bulk_update(pending, ["outcome", "reason", "ended_at"])


def _step(move: Move, row: PhoneNumber, now: datetime, attempts: _Attempts) -> GiveBack | None:
    """Changes ``row`` in memory; returns the carrier number it abandons, if any."""
    came_from = row.provisioning_status
    row.provisioning_status = move.to
    row.updated_at = now
    row.poll_leased_until = None  # the poll that held it is answered
    if move.to == S.INITIATED:
        _submitted(row, move, now, attempts)
        return None
    if came_from == S.REQUESTED and move.outcome == AttemptOutcome.REJECTED:
        # Refused at submit: the attempt is used and ended at once.
        row.attempts += 1
        attempts.new.append(_attempt(row, row.e164 or "", "", now, move.outcome, move.reason))
    elif move.outcome:
        attempts.ended[row.pk] = (move.outcome, move.reason)
    given_back = (
        GiveBack(row.carrier_number_id, row.e164 or "", row.pk) if row.carrier_number_id else None
    )
    if move.to == S.RELEASED:
        row.released_at = now  # the row keeps the number it had, for its history
        row.next_poll_at = None
        return given_back
    # Back to requested (a new number will be bought) or failed: the number is abandoned.
    row.e164 = None
    row.carrier_number_id = ""
    row.carrier_provisioning_ref = ""
    row.attempt_started_at = None
    row.failure_reason = move.failure_reason
    row.next_poll_at = now + LEASE if move.to == S.REQUESTED else None
    return given_back


def _submitted(row: PhoneNumber, move: Move, now: datetime, attempts: _Attempts) -> None:
    submission = move.submission
    if submission is None:
        raise InvalidTransition("A number is submitted with what the carrier sold and accepted.")
    row.attempts += 1
    row.e164 = submission.e164
    row.carrier_number_id = submission.carrier_number_id
    row.carrier_provisioning_ref = submission.ref
    row.attempt_started_at = now
    row.next_poll_at = now + timedelta(seconds=settings.PROVISIONING_POLL_SECONDS)
    attempts.new.append(_attempt(row, submission.e164, submission.ref, now, None, ""))


def _attempt(
    row: PhoneNumber, e164: str, ref: str, now: datetime, outcome: str | None, reason: str
) -> ProvisioningAttempt:
    return ProvisioningAttempt(
        phone_number=row,
        n=row.attempts,
        e164=e164,
        area_code=e164[2:5],
        carrier_provisioning_ref=ref,
        started_at=now,
        ended_at=now if outcome else None,
        outcome=outcome or AttemptOutcome.PENDING,
        reason=reason,
    )


def _announce_finished(numbers: list[PhoneNumber]) -> None:
    """Inside the transaction that finished them: e-mail requesters, then tell the hook. The
    requester, organization and use case are read only for the numbers that get an e-mail (one
    query each, whatever their count; none for a batch of single-use numbers)."""
    emailed = [n for n in numbers if n.kind in EMAILED_KINDS and n.requested_by_id is not None]
    prefetch_related_objects(emailed, "requested_by", "organization", "use_case")
    for number in emailed:
        _email_requester(number)
    number_provisioning_finished.send(sender=PhoneNumber, numbers=numbers)


def _email_requester(number: PhoneNumber) -> None:
    person = number.requested_by
    assert person is not None  # _announce_finished picks numbers with a requester
    status = number.provisioning_status
    notification_enqueue(
        event=f"number:{number.pk}:{status}",
        recipient=person.email,
        template=f"phone_numbers/number_{status}",
        context={
            "number": number,
            "person": person,
            "number_path": reverse("phone_numbers:detail", args=[number.pk]),
        },
        time_zone=number.organization.time_zone,
    )
