"""Celery tasks of inbound messages: each takes plain values and is safe to run twice."""

from datetime import datetime, timedelta

from celery import shared_task
from django.utils import timezone

from texting.router import inbound_route_pending, last_look_at

# A text recorded this long ago and still not routed lost its wake: route it now.
PENDING_AFTER = timedelta(minutes=1)


@shared_task(acks_late=True)
def route_burst(woken_at: str) -> int:
    """Routes every unrouted text; then, once, looks again when the texts that relied on this
    wake are all committed (``texting.router``). Returns how many it routed."""
    routed = inbound_route_pending()
    last_look = last_look_at(datetime.fromisoformat(woken_at))
    if timezone.now() < last_look and not route_burst.app.conf.task_always_eager:
        route_burst.apply_async(args=(woken_at,), eta=last_look)
    return routed


@shared_task(acks_late=True)
def route_pending() -> int:
    """The beat sweep: routes the texts whose wake was lost; returns how many it found."""
    return inbound_route_pending(received_before=timezone.now() - PENDING_AFTER)
