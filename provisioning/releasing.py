"""Giving numbers back to the carrier, durably.

A number we abandon (a failed attempt, a failed or released number, a purchase nobody will use)
gets a ``NumberRelease`` row in the transaction that abandons it, and a release task after
commit (one try; a failure is kept on the row). The row stays unconfirmed until the carrier
confirms (a number it no longer knows is confirmed too), so a task lost in the broker or failing
never leaves a number bought: the poller sweeps the rows still due (``releases_sweep``), as it
resends lost submits.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.celery import enqueue_on_commit
from provisioning.carriers import get_carrier
from provisioning.carriers.base import CarrierAdapter
from provisioning.models import NumberRelease

logger = logging.getLogger(__name__)

RELEASE_TASK = "provisioning.tasks.release_carrier_number"
# The release task normally confirms within seconds; the sweep tries a row again after this,
# and after each failure waits twice as long, up to an hour.
RELEASE_GRACE = timedelta(seconds=60)
MAX_RELEASE_WAIT = timedelta(hours=1)


@dataclass(frozen=True)
class GiveBack:
    carrier_number_id: str
    e164: str
    phone_number_id: int | None


def numbers_give_back(*, numbers: Sequence[GiveBack]) -> None:
    """Inside the caller's transaction: a release row per number, and its task after commit.
    Idempotent: a number already being given back keeps its row."""
    if not numbers:
        return
    now = timezone.now()
    NumberRelease.objects.bulk_create(
        [
            NumberRelease(
                carrier_number_id=number.carrier_number_id,
                e164=number.e164,
                phone_number_id=number.phone_number_id,
                requested_at=now,
                next_try_at=now + RELEASE_GRACE,
            )
            for number in numbers
        ],
        ignore_conflicts=True,
    )
    for number in numbers:
        enqueue_on_commit(RELEASE_TASK, number.carrier_number_id)


def carrier_number_release(*, carrier_number_id: str) -> bool:
    """Gives the number back and records that the carrier confirmed (True). A failure is kept
    on the release row, due again after a growing wait, and the sweep tries it then (False):
    one retry mechanism, not tasks waiting in the broker. Idempotent."""
    row = NumberRelease.objects.filter(carrier_number_id=carrier_number_id).first()
    if row is not None and row.released_at is not None:
        return True
    now = timezone.now()
    try:
        get_carrier().release_number(carrier_number_id=carrier_number_id)
    except Exception as error:
        if row is None:  # a task sent before releases were rows: nothing keeps it but its task
            raise
        _failed(row, error, now, counted=False)
        return False
    _confirm([carrier_number_id], now)
    return True


def releases_sweep(*, carrier: CarrierAdapter, now: datetime, batch_size: int) -> int:
    """Releases every number whose release is due and unconfirmed; returns how many the
    carrier confirmed. Rows are claimed (SKIP LOCKED, pushed a grace ahead, committed) before
    the carrier is called, so no lock is held across its network calls."""
    confirmed = 0
    while True:
        due = _claim(now, batch_size)
        confirmed += _release(carrier, due, now)
        if len(due) < batch_size:
            return confirmed


def _claim(now: datetime, batch_size: int) -> list[NumberRelease]:
    with transaction.atomic():
        due = list(
            NumberRelease.objects.select_for_update(skip_locked=True)
            .filter(released_at__isnull=True, next_try_at__lte=now)
            .order_by("next_try_at", "id")[:batch_size]
        )
        NumberRelease.objects.filter(pk__in=[row.pk for row in due]).update(
            next_try_at=timezone.now() + RELEASE_GRACE, tries=F("tries") + 1
        )
    return due


def _release(carrier: CarrierAdapter, due: list[NumberRelease], now: datetime) -> int:
    released = []
    for row in due:
        try:
            carrier.release_number(carrier_number_id=row.carrier_number_id)
        except Exception as error:
            _failed(row, error, now, counted=True)
            continue
        released.append(row.carrier_number_id)
    _confirm(released, now)
    return len(released)


def _failed(row: NumberRelease, error: Exception, now: datetime, *, counted: bool) -> None:
    """Keeps the error and makes the row due again after twice the last wait (up to an hour).
    ``counted``: the sweep's claim already counted this try in the database."""
    logger.warning("Releasing %s failed; trying again later: %s", row, error)
    tries = row.tries + 1
    wait = min(MAX_RELEASE_WAIT, RELEASE_GRACE * 2**tries)
    NumberRelease.objects.filter(pk=row.pk, released_at__isnull=True).update(
        next_try_at=now + wait, last_error=str(error)[:500], **({} if counted else {"tries": tries})
    )


def _confirm(carrier_number_ids: list[str], now: datetime) -> None:
    if carrier_number_ids:
        NumberRelease.objects.filter(
            carrier_number_id__in=carrier_number_ids, released_at__isnull=True
        ).update(released_at=now, next_try_at=None, last_error="")
