from celery import Task, shared_task

from notifications.services import Delivery, outbox_deliver, outbox_pending_ids


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_email(self: Task, outbox_id: int) -> str:
    result = outbox_deliver(outbox_id=outbox_id)
    if result is Delivery.RETRY:
        raise self.retry(countdown=min(600, 5 * 2**self.request.retries))
    return result.value


@shared_task(acks_late=True)
def deliver_pending() -> int:
    ids = outbox_pending_ids()
    for outbox_id in ids:
        deliver_email.delay(outbox_id)
    return len(ids)
