"""Submitting (a task per number): buy a number and submit it to the carriers.

Walk the area-code preferences (an empty code → the next one; a number sold since the search →
the next candidate), buy with an idempotency key per attempt (an ambiguous answer is reconciled
by that key, so a number is never bought twice), write the bought number on the row at once,
submit it, and move the number to ``initiated`` through the door (``provisioning.transitions``).
Transport faults never use an attempt: the task retries with backoff. A refusal of the number
at submit is a rejection (an attempt used, the number given back, a new one submitted); a
refusal of the use case or the account fails the order.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from phone_numbers.models import AttemptOutcome, PhoneNumber
from phone_numbers.models import ProvisioningStatus as S
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
    RateLimited,
    TransientProviderError,
)
from provisioning.releasing import GiveBack, numbers_give_back
from provisioning.transitions import LEASE, Move, Submission, attempt_failed, number_transition

logger = logging.getLogger(__name__)

# An order whose every area code is empty is retried this many times (backoff) before failing.
NO_INVENTORY_RETRIES = 5
CANDIDATES_PER_AREA_CODE = 5


@dataclass(frozen=True)
class SubmitResult:
    outcome: str  # submitted | rejected | failed | nothing_to_do | retry
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
            reason = f"No numbers available in area codes {error.area_code}."
            return _moved(Move(number, S.FAILED, failure_reason=reason), "failed")
        return _retry(number, _backoff(retries), error)
    except PermanentProviderError as error:
        if error.scope != FailureScope.NUMBER:
            return _moved(Move(number, S.FAILED, failure_reason=str(error)), "failed")
        logger.info("Number %s was refused at submit: %s", number.pk, error)
        move = attempt_failed(
            number, outcome=AttemptOutcome.REJECTED, reason=str(error), scope=error.scope
        )
        return _moved(move, "rejected")
    submission = Submission(owned.e164, owned.carrier_number_id, handle.ref)
    if number_transition(move=Move(number, S.INITIATED, submission=submission)) is None:
        return _lost_race(number, owned)
    return SubmitResult("submitted")


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


def _buy(carrier: CarrierAdapter, key: str, candidate: AvailableNumber) -> OwnedNumber:
    try:
        return carrier.acquire_number(idempotency_key=key, candidate=candidate)
    except AmbiguousWriteError:
        owned = carrier.reconcile(key)
        if owned is None:
            raise
        return owned


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


def _moved(move: Move, outcome: str) -> SubmitResult:
    return SubmitResult(outcome if number_transition(move=move) else "nothing_to_do")


def _lost_race(number: PhoneNumber, owned: OwnedNumber) -> SubmitResult:
    """A duplicate task got there first (then ``owned`` is the same number, bought with the
    same key), or the number was released meanwhile: give back what nobody will use."""
    if PhoneNumber.objects.filter(pk=number.pk, provisioning_status=S.RELEASED).exists():
        with transaction.atomic():
            numbers_give_back(numbers=[GiveBack(owned.carrier_number_id, owned.e164, number.pk)])
    return SubmitResult("nothing_to_do")


def _retry(number: PhoneNumber, seconds: float, error: Exception) -> SubmitResult:
    logger.info("Submitting number %s again in %.0f s: %s", number.pk, seconds, error)
    # Keep the poller from resending the task while it is merely waiting to retry.
    PhoneNumber.objects.filter(pk=number.pk, provisioning_status=S.REQUESTED).update(
        next_poll_at=timezone.now() + timedelta(seconds=seconds) + LEASE
    )
    return SubmitResult("retry", retry_in=seconds)


def _backoff(retries: int) -> float:
    return float(min(300, 2**retries))
