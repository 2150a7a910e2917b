"""Who routes the texts the webhook recorded, and when: per burst, not per text.

The unrouted rows are the queue (``InboundMessage.routed_at`` is null, a partial index). A
worker task, ``route_burst``, claims them a batch at a time (``BATCH_SIZE``) with ``SKIP LOCKED``
and routes each batch in one transaction until none is left (``PASS_SIZE`` at a time, each pass a
task), so tasks woken side by side share a burst, a burst of 10,000 texts is routed by a few
dozen tasks, not 10,000, and costs a commit (a WAL flush, which the webhook's own commits wait
behind) per batch, not per text. A batch reads its numbers once (``routing.NumbersOfBatch``)
and records the texts that wait for a person together, a few statements per batch.
When a text of a batch raises, the batch is rolled back and routed again text by text, each in a
savepoint of its own, so only that text is left unrouted.

The webhook wakes the router (``router_wake``) after its text is committed, at most once per
``WAKE_EVERY`` per process: a lone reply is routed at once, and a burst costs each web process a
task message a second instead of a broker round trip per text (each task, with its last look
below, costs the worker a few milliseconds of CPU, its database connection included, that a
burst's webhooks would otherwise lose). A text that did not wake
anyone was committed within ``WAKE_EVERY`` of a wake, so the woken task looks once more after
``WAKE_EVERY + SETTLE`` (a second run, scheduled with an ETA) and finds it. ``SETTLE`` covers the
time between a text's commit and its check, and the clocks of the web and worker hosts differing
(NTP keeps them within milliseconds). A wake lost with the broker down, or a row whose routing
failed, is found by the beat sweep ``route_pending`` a minute later: nothing recorded is left
unrouted.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from config.celery import enqueue_on_commit
from inboxes.models import InboundMessage
from texting.routing import NumbersOfBatch, inbound_route_claimed
from texting.sql import inbound_routes_save

logger = logging.getLogger(__name__)

WAKE_EVERY = timedelta(seconds=1)
# A task routes at most this many texts, then hands the rest of a burst to a fresh task: well
# within the task time limit (CELERY_TASK_TIME_LIMIT) even on a loaded machine.
PASS_SIZE = 200
# Texts routed in one transaction: one commit for many, while the numbers they went to stay
# locked for a fraction of a second only (a batch of texts that wait for a person takes tens of
# milliseconds). A batch's fixed costs are paid once per this many texts: its claim, which walks
# the queue's partial index past the rows routed since the last vacuum, and its reads of the
# numbers.
BATCH_SIZE = 200
SETTLE = timedelta(seconds=1)

_lock = threading.Lock()
_last_wake: datetime | None = None


def router_wake() -> None:
    """Once the current transaction commits, wakes the router unless this process did within
    ``WAKE_EVERY``. Never raises: a wake that fails to reach the broker is the sweep's."""
    transaction.on_commit(_wake_unless_recent)


def _wake_unless_recent() -> None:
    global _last_wake
    now = timezone.now()  # after the commit: a text skipped here is visible to the last look
    with _lock:
        if _last_wake is not None and timedelta(0) <= now - _last_wake < WAKE_EVERY:
            return
        _last_wake = now
    enqueue_on_commit("texting.tasks.route_burst", now.isoformat())


def last_look_at(woken_at: datetime) -> datetime:
    """When the task woken at ``woken_at`` has seen every text that relied on that wake."""
    return woken_at + WAKE_EVERY + SETTLE


@dataclass(frozen=True)
class Pass:
    routed: int
    done: bool  # False: stopped at ``limit`` with texts perhaps left for another pass


def inbound_route_pending(
    *, received_before: datetime | None = None, limit: int | None = None
) -> Pass:
    """Routes unrouted texts (those received before ``received_before``, if given), a batch per
    transaction, until none is left to claim or ``limit`` are routed. A text whose routing
    raises is logged, left unrouted for the sweep, and skipped for the rest of this pass."""
    routed, failed = 0, set[int]()
    while limit is None or routed < limit:
        pending = InboundMessage.objects.filter(routed_at__isnull=True).exclude(pk__in=failed)
        if received_before is not None:
            pending = pending.filter(received_at__lt=received_before)
        size = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - routed)
        with transaction.atomic():
            batch = list(
                pending.select_for_update(skip_locked=True).order_by("received_at", "id")[:size]
            )
            if not batch:
                return Pass(routed, done=True)
            left = _route_batch(batch)
        routed += len(batch) - len(left)
        failed |= left
    return Pass(routed, done=False)


def _route_batch(batch: list[InboundMessage]) -> set[int]:
    """Routes the claimed ``batch`` in the caller's transaction; returns the ids of the texts
    whose routing raised (logged, left unrouted)."""
    numbers = NumbersOfBatch(batch)
    try:
        with transaction.atomic():
            for inbound in batch:
                inbound_route_claimed(inbound, numbers)
            numbers.record_waiting()
            inbound_routes_save(batch)
        return set()
    except Exception:
        pass  # which text raised is found below, one savepoint each
    failed = set()
    # Read again, texts and numbers: the rolled-back pass left its changes on these objects.
    again = list(InboundMessage.objects.filter(pk__in=[i.pk for i in batch]).order_by("id"))
    numbers = NumbersOfBatch(again)
    for inbound in sorted(again, key=lambda i: (i.received_at, i.pk)):
        try:
            with transaction.atomic():
                inbound_route_claimed(inbound, numbers)
                numbers.record_waiting()
                inbound_routes_save([inbound])
        except Exception:
            logger.exception("Routing inbound message %s failed; the sweep will retry", inbound.pk)
            failed.add(inbound.pk)
            # Its savepoint took back what it started: read the numbers again for the rest.
            numbers = NumbersOfBatch(again)
    return failed
