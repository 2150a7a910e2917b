from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.db import models
from django.utils import timezone


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    # Claimed by a worker, in its own committed step, before the message is handed to SMTP.
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


def outbox_message_id() -> str:
    """A Message-ID in the sender's domain, generated once per e-mail and kept: a row whose send
    was interrupted goes out again as the same message, which mail systems recognise."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "longcode"
    return make_msgid(domain=domain)


class OutboxEmail(models.Model):
    """One e-mail to one recipient for one event.

    Written in the same transaction as the state change that causes it, and unique per
    (event, recipient), so a retried or duplicated task can never send it twice.
    """

    event = models.CharField(max_length=200)
    recipient = models.EmailField()
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    message_id = models.CharField(
        "Message-ID", max_length=255, unique=True, default=outbox_message_id
    )
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    failure_reason = models.TextField(
        blank=True,
        help_text="Why the e-mail was given up: the mail server's refusal, or no answer.",
    )
    # When the beat task should (re)try it: a little after creation in case the first delivery
    # task is lost, then after each transient failure with a growing backoff. While a worker is
    # sending, it is the end of that worker's lease: past it, the send is taken as interrupted.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"], name="outbox_once_per_event")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status__in=["pending", "sending"]),
                name="outbox_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient} ({self.status})"
