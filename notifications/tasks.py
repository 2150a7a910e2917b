from celery import shared_task

from notifications.services import outbox_deliver, outbox_due_ids


@shared_task(acks_late=True)
def deliver_email(outbox_id: int) -> str:
    """Sends one e-mail. A transient failure is not retried here: the outbox row records when
    it is due again, and ``deliver_pending`` (beat) picks it up then — one retry mechanism."""
    return outbox_deliver(outbox_id=outbox_id).value


@shared_task(acks_late=True)
def deliver_pending() -> int:
    ids = outbox_due_ids()
    for outbox_id in ids:
        deliver_email.delay(outbox_id)
    return len(ids)
