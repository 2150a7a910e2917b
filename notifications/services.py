"""The one place that sends mail. Each e-mail is a template triple under
``templates/notifications/<name>_subject.txt``, ``<name>.txt`` and ``<name>.html``."""

import enum
import logging
import smtplib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.models import OutboxEmail, OutboxStatus

logger = logging.getLogger(__name__)

MAX_DELIVERY_ATTEMPTS = 8
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
    *, event: str, recipient: str, template: str, context: dict[str, Any]
) -> OutboxEmail | None:
    """Writes the e-mail to the outbox (once per event and recipient) and delivers it after
    the surrounding transaction commits. Returns None when it was already written."""
    context = {**context, "site_url": settings.SITE_URL}
    name = f"notifications/{template}"
    subject = " ".join(render_to_string(f"{name}_subject.txt", context).split())
    email = OutboxEmail(
        event=event,
        recipient=recipient,
        subject=subject,
        body_text=render_to_string(f"{name}.txt", context),
        body_html=render_to_string(f"{name}.html", context),
    )
    created = OutboxEmail.objects.bulk_create([email], ignore_conflicts=True)
    if not created or created[0].pk is None:
        # ignore_conflicts gives no primary key back; look the row up to know if it is new.
        row = OutboxEmail.objects.filter(event=event, recipient=recipient).first()
        if row is None or row.status != OutboxStatus.PENDING or row.attempts:
            return None
        email = row
    from notifications.tasks import deliver_email

    pk = email.pk
    transaction.on_commit(lambda: deliver_email.delay(pk))
    return email


class Delivery(enum.Enum):
    SENT = "sent"
    NOTHING_TO_DO = "nothing_to_do"
    RETRY = "retry"
    GAVE_UP = "gave_up"


@transaction.atomic
def outbox_deliver(*, outbox_id: int) -> Delivery:
    """Sends one pending e-mail. The row lock makes a concurrent duplicate task wait and then
    find it sent. A transient SMTP failure is recorded and answered with RETRY."""
    email = (
        OutboxEmail.objects.select_for_update()
        .filter(pk=outbox_id, status=OutboxStatus.PENDING)
        .first()
    )
    if email is None:
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
        gave_up = email.attempts >= MAX_DELIVERY_ATTEMPTS
        if gave_up:
            email.status = OutboxStatus.FAILED
            logger.error("Giving up on %s after %s attempts", email, email.attempts)
        email.save(update_fields=["attempts", "last_error", "status"])
        return Delivery.GAVE_UP if gave_up else Delivery.RETRY
    email.status = OutboxStatus.SENT
    email.sent_at = timezone.now()
    email.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return Delivery.SENT


def outbox_pending_ids(*, older_than_seconds: int = 60) -> list[int]:
    """Pending e-mails whose first delivery was lost (a broker outage, a killed worker)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        OutboxEmail.objects.filter(status=OutboxStatus.PENDING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
