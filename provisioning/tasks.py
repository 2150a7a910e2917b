"""Celery tasks: each takes ids, calls the engine, and is safe to run twice.

The engine never imports this module: it enqueues these tasks by name
(``config.celery.enqueue_on_commit``), so there is no import circle.
"""

from celery import Task, shared_task

from provisioning.delivery import (
    DeliveryPostponed,
    message_deliver,
    messages_due_ids,
    status_webhook_receive,
)
from provisioning.polling import provisioning_poll
from provisioning.releasing import carrier_number_release
from provisioning.submitting import number_submit


@shared_task(bind=True, acks_late=True, max_retries=None)
def submit_number(self: Task, phone_number_id: int) -> str:
    result = number_submit(phone_number_id=phone_number_id, retries=self.request.retries)
    if result.retry_in is not None:
        raise self.retry(countdown=result.retry_in)
    return result.outcome


@shared_task(acks_late=True)
def poll_provisioning() -> int:
    return provisioning_poll().polled


@shared_task(acks_late=True)
def release_carrier_number(carrier_number_id: str) -> bool:
    """A failure is not retried here: the release row says when it is due again, and the
    poller's sweep gives the number back then — one retry mechanism."""
    return carrier_number_release(carrier_number_id=carrier_number_id)


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_message(self: Task, message_id: int) -> str:
    try:
        return message_deliver(message_id=message_id)
    except DeliveryPostponed as postponed:
        raise self.retry(countdown=postponed.retry_in) from postponed


@shared_task(acks_late=True)
def deliver_queued() -> int:
    """The sweep: queued messages whose delivery task was lost, or whose send was
    interrupted, go to the carrier again (the same text: ``delivery_key``)."""
    ids = messages_due_ids()
    for message_id in ids:
        deliver_message.delay(message_id)
    return len(ids)


@shared_task(acks_late=True)
def simulated_delivery_report(carrier_message_id: str, to_e164: str) -> int:
    """The simulated carrier's status callback, through the status webhook's own code."""
    from provisioning.carriers.simulated import SimulatedCarrier

    carrier = SimulatedCarrier()
    headers, body = carrier.delivery_report(carrier_message_id=carrier_message_id, to_e164=to_e164)
    return status_webhook_receive(carrier=carrier, url="", headers=headers, body=body)
