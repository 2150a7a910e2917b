"""The one place that sends mail. Each e-mail is a template triple under
``templates/notifications/<name>_subject.txt``, ``<name>.txt`` and ``<name>.html``."""

import enum
import logging
import smtplib
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from config.celery import enqueue_on_commit
from notifications.models import OutboxEmail, OutboxStatus

logger = logging.getLogger(__name__)

# A first delivery task that was lost (broker outage, killed worker) is picked up after this.
FIRST_ATTEMPT_GRACE = timedelta(minutes=2)
# Transient SMTP failures are retried with a growing backoff until the e-mail is this old.
GIVE_UP_AFTER = timedelta(hours=24)
# How long a worker may take to hand one e-mail to SMTP before the send counts as interrupted
# (the worker died) and the beat task sends it again. Longer than the task time limit (5 min),
# so a send still in progress is never taken over.
SENDING_LEASE = timedelta(minutes=10)


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
    REFUSED = "refused"


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** (attempts - 1)))


def smtp_reply_code(error: OSError) -> int | None:
    """The SMTP server's reply code in ``error``, or None for a connection failure."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        # One recipient per e-mail: its own refusal.
        return max((code for code, _ in error.recipients.values()), default=None)
    code = getattr(error, "smtp_code", None)
    return code if isinstance(code, int) and code > 0 else None


def smtp_is_permanent(error: OSError) -> bool:
    """A 5xx reply (no such mailbox, refused by policy, authentication) will not change by
    retrying; a 4xx reply or a failed connection may."""
    code = smtp_reply_code(error)
    return code is not None and 500 <= code < 600


def _outbox_claim(*, outbox_id: int, now: datetime) -> bool:
    """Takes the e-mail for one send, in its own committed step, if it is due: pending and never
    tried (a first delivery task), pending and past its backoff, or sending with its lease run
    out (the worker that held it died). A concurrent duplicate task finds nothing to claim."""
    due = Q(status=OutboxStatus.PENDING, attempts=0) | Q(
        status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING], next_attempt_at__lte=now
    )
    claimed = OutboxEmail.objects.filter(due, pk=outbox_id).update(
        status=OutboxStatus.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + SENDING_LEASE
    )
    return claimed == 1


def _message(email: OutboxEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.recipient],
        headers={"Message-ID": email.message_id},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    return message


def outbox_deliver(*, outbox_id: int) -> Delivery:
    """Sends one e-mail if it is due (its first attempt always is).

    The row is claimed and committed before the message goes to SMTP, and marked sent after:
    a worker killed in between leaves it *sending* until its lease runs out, and it then goes
    out again with the same Message-ID. A 4xx reply or a connection failure is recorded and the
    e-mail scheduled again with a growing backoff (failed after GIVE_UP_AFTER); a 5xx reply
    fails it at once with the server's reason."""
    now = timezone.now()
    if not _outbox_claim(outbox_id=outbox_id, now=now):  # one UPDATE, committed by itself
        return Delivery.NOTHING_TO_DO
    email = OutboxEmail.objects.get(pk=outbox_id)
    try:
        _message(email).send()
    except OSError as error:  # every smtplib error is one
        return _outbox_record_failure(email=email, error=error, now=now)
    email.status, email.sent_at, email.last_error = OutboxStatus.SENT, timezone.now(), ""
    email.save(update_fields=["status", "sent_at", "last_error"])
    return Delivery.SENT


def _outbox_record_failure(*, email: OutboxEmail, error: OSError, now: datetime) -> Delivery:
    email.last_error = f"{type(error).__name__}: {error}"
    if smtp_is_permanent(error):
        email.status, email.failure_reason = OutboxStatus.FAILED, _reason(error)
        outcome = Delivery.REFUSED
        logger.warning("The mail server refused %s: %s", email, email.failure_reason)
    elif now - email.created_at >= GIVE_UP_AFTER:
        email.status = OutboxStatus.FAILED
        hours = int(GIVE_UP_AFTER.total_seconds() // 3600)
        email.failure_reason = f"Not delivered within {hours} hours: {_reason(error)}"
        outcome = Delivery.GAVE_UP
        logger.error("Giving up on %s after %s attempts", email, email.attempts)
    else:
        email.status, email.next_attempt_at = OutboxStatus.PENDING, now + _backoff(email.attempts)
        outcome = Delivery.RETRY
    email.save(update_fields=["status", "last_error", "failure_reason", "next_attempt_at"])
    return outcome


def _reason(error: OSError) -> str:
    """What the server said (``550 5.1.1 No such user``), or the connection failure."""
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        code, refusal = next(iter(error.recipients.values()))
        return f"{code} {refusal.decode(errors='replace')}"
    if isinstance(error, smtplib.SMTPResponseException) and error.smtp_code > 0:
        text = error.smtp_error
        said = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return f"{error.smtp_code} {said}"
    return f"{type(error).__name__}: {error}"


def outbox_due_ids(*, limit: int = 500) -> list[int]:
    """E-mails due for a (re)try: after a transient failure, whose first delivery task was
    lost, or whose send was interrupted (its worker's lease ran out)."""
    return list(
        OutboxEmail.objects.filter(
            status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING],
            next_attempt_at__lte=timezone.now(),
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
