from django.db import models
from django.utils import timezone


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


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
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # When the beat task should (re)try it: a little after creation in case the first delivery
    # task is lost, then after each transient failure with a growing backoff.
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
                condition=models.Q(status="pending"),
                name="outbox_pending_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient} ({self.status})"
