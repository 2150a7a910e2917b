"""Celery tasks of inbound messages: each takes ids and is safe to run twice."""

from celery import shared_task

from texting.routing import inbound_route


@shared_task(acks_late=True)
def route_inbound(inbound_id: int) -> str:
    return inbound_route(inbound_id=inbound_id).route
