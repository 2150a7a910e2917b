"""Celery tasks: each takes ids, calls the engine, and is safe to run twice."""

from celery import Task, shared_task

from provisioning.carriers.base import RateLimited, TransientProviderError
from provisioning.delivery import message_deliver, status_webhook_receive
from provisioning.engine import carrier_number_release, number_submit, provisioning_poll


@shared_task(bind=True, acks_late=True, max_retries=None)
def submit_number(self: Task, phone_number_id: int) -> str:
    result = number_submit(phone_number_id=phone_number_id, retries=self.request.retries)
    if result.retry_in is not None:
        raise self.retry(countdown=result.retry_in)
    return result.outcome


@shared_task(acks_late=True)
def poll_provisioning() -> int:
    return provisioning_poll().polled


@shared_task(bind=True, acks_late=True, max_retries=None)
def release_carrier_number(self: Task, carrier_number_id: str) -> None:
    try:
        carrier_number_release(carrier_number_id=carrier_number_id)
    except RateLimited as error:
        raise self.retry(countdown=error.retry_after) from error
    except TransientProviderError as error:
        raise self.retry(countdown=min(600, 5 * 2**self.request.retries)) from error


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_message(self: Task, message_id: int) -> str:
    try:
        return message_deliver(message_id=message_id)
    except RateLimited as error:
        raise self.retry(countdown=error.retry_after) from error
    except TransientProviderError as error:
        raise self.retry(countdown=min(600, 5 * 2**self.request.retries)) from error


@shared_task(acks_late=True)
def simulated_delivery_report(carrier_message_id: str, to_e164: str) -> int:
    """The simulated carrier's status callback, through the status webhook's own code."""
    from provisioning.carriers.simulated import SimulatedCarrier

    carrier = SimulatedCarrier()
    headers, body = carrier.delivery_report(carrier_message_id=carrier_message_id, to_e164=to_e164)
    return status_webhook_receive(carrier=carrier, headers=headers, body=body)
