"""Celery tasks of inbound messages: each takes ids and is safe to run twice."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from inboxes.models import InboundMessage
from texting.routing import inbound_route

# A text recorded this long ago and still not routed lost its task: route it again.
PENDING_AFTER = timedelta(minutes=1)


@shared_task(acks_late=True)
def route_inbound(inbound_id: int) -> str:
    return inbound_route(inbound_id=inbound_id).route


@shared_task(acks_late=True)
def route_pending() -> int:
    """Routes the texts whose task was lost; returns how many it found."""
    ids = list(
        InboundMessage.objects.filter(
            routed_at__isnull=True, received_at__lt=timezone.now() - PENDING_AFTER
        )
        .order_by("received_at")
        .values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        inbound_route(inbound_id=pk)
    return len(ids)
