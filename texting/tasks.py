"""Celery tasks of inbound messages: each takes plain values and is safe to run twice."""

from datetime import datetime, timedelta

from celery import shared_task
from django.utils import timezone

from texting import router

# A text recorded this long ago and still not routed lost its wake: route it now.
PENDING_AFTER = timedelta(minutes=1)


@shared_task(acks_late=True)
def route_burst(woken_at: str) -> int:
    """Routes every unrouted text, a pass at a time; then, once, looks again when the texts
    that relied on this wake are all committed (``texting.router``). Returns how many this
    pass routed."""
    routed = router.inbound_route_pending(limit=router.PASS_SIZE)
    if route_burst.app.conf.task_always_eager:
        return routed.routed
    if not routed.done:
        route_burst.apply_async(args=(woken_at,))  # the rest of the burst, in a fresh task
        return routed.routed
    last_look = router.last_look_at(datetime.fromisoformat(woken_at))
    if timezone.now() < last_look:
        route_burst.apply_async(args=(woken_at,), eta=last_look)
    return routed.routed


@shared_task(acks_late=True)
def route_pending() -> int:
    """The beat sweep: routes the texts whose wake was lost (a pass of them; the next sweep
    takes the rest); returns how many it routed."""
    since = timezone.now() - PENDING_AFTER
    return router.inbound_route_pending(received_before=since, limit=router.PASS_SIZE).routed
