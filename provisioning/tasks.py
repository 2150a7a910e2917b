"""Celery tasks: each takes ids, calls the engine, and is safe to run twice.

Nothing imports this module but Celery: the engine enqueues these tasks by name
(``config.celery.enqueue_on_commit``), so there is no import circle.
"""

from celery import Task, shared_task

from provisioning.carriers.base import RateLimited, TransientProviderError
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


@shared_task(bind=True, acks_late=True, max_retries=None)
def release_carrier_number(self: Task, carrier_number_id: str) -> None:
    try:
        carrier_number_release(carrier_number_id=carrier_number_id)
    except RateLimited as error:
        raise self.retry(countdown=error.retry_after) from error
    except TransientProviderError as error:
        raise self.retry(countdown=min(600, 5 * 2**self.request.retries)) from error
