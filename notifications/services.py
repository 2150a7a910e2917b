"""The one place that sends mail. Each e-mail is a template triple under
``templates/notifications/<name>_subject.txt``, ``<name>.txt`` and ``<name>.html``."""

import enum
import logging
import smtplib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from config.celery import enqueue_on_commit
from notifications.models import OutboxEmail, OutboxStatus

logger = logging.getLogger(__name__)

# A first delivery task that was lost (broker outage, killed worker) is picked up after this.
FIRST_ATTEMPT_GRACE = timedelta(minutes=2)
# Transient SMTP failures are retried with a growing backoff until the e-mail is this old.
GIVE_UP_AFTER = timedelta(hours=24)
TRANSIENT_SMTP_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPDataError,
    smtplib.SMTPSenderRefused,
    ConnectionError,
    TimeoutError,
    OSError,
)


def notification_enqueue(
    *, event: str, recipient: str, template: str, context: dict[str, Any], time_zone: str
) -> OutboxEmail | None:
    """Writes the e-mail to the outbox, once per (event, recipient), inside the caller's
    transaction, and delivers it after that transaction commits. Returns None when this event
    already wrote it (a retried or duplicated task).

    ``time_zone`` is the organization's: the times in the e-mail are shown in it, whether the
    caller is a page or a worker."""
    context = {**context, "site_url": settings.SITE_URL}
    name = f"notifications/{template}"
    now = timezone.now()
    with timezone.override(time_zone):
        email = OutboxEmail(
            event=event,
            recipient=recipient,
            subject=" ".join(render_to_string(f"{name}_subject.txt", context).split()),
            body_text=render_to_string(f"{name}.txt", context),
            body_html=render_to_string(f"{name}.html", context),
            created_at=now,
            next_attempt_at=now + FIRST_ATTEMPT_GRACE,
        )
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction survives a duplicate
            email.save(force_insert=True)
    except IntegrityError:
        return None
    enqueue_on_commit("notifications.tasks.deliver_email", email.pk)
    return email


class Delivery(enum.Enum):
    SENT = "sent"
    NOTHING_TO_DO = "nothing_to_do"
    RETRY = "retry"
    GAVE_UP = "gave_up"


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** (attempts - 1)))


@transaction.atomic
def outbox_deliver(*, outbox_id: int) -> Delivery:
    """Sends one pending e-mail if it is due (its first attempt always is). The row lock makes a
    concurrent duplicate task wait and then find it sent or not yet due. A transient SMTP
    failure is recorded and the e-mail scheduled again with a growing backoff; after
    GIVE_UP_AFTER it is marked failed."""
    now = timezone.now()
    email = (
        OutboxEmail.objects.select_for_update()
        .filter(pk=outbox_id, status=OutboxStatus.PENDING)
        .first()
    )
    if email is None or (email.attempts and email.next_attempt_at > now):
        return Delivery.NOTHING_TO_DO
    email.attempts += 1
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.recipient],
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    try:
        message.send()
    except TRANSIENT_SMTP_ERRORS as exc:
        email.last_error = f"{type(exc).__name__}: {exc}"
        email.next_attempt_at = now + _backoff(email.attempts)
        gave_up = now - email.created_at >= GIVE_UP_AFTER
        if gave_up:
            email.status = OutboxStatus.FAILED
            logger.error("Giving up on %s after %s attempts", email, email.attempts)
        email.save(update_fields=["attempts", "last_error", "next_attempt_at", "status"])
        return Delivery.GAVE_UP if gave_up else Delivery.RETRY
    email.status = OutboxStatus.SENT
    email.sent_at = now
    email.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return Delivery.SENT


def outbox_due_ids(*, limit: int = 500) -> list[int]:
    """Pending e-mails due for a (re)try: after a transient failure, or whose first delivery
    task was lost."""
    return list(
        OutboxEmail.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
