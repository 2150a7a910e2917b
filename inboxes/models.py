from django.conf import settings
from django.db import models
from django.db.models import Q

from offices.models import Office, Organization


class Inbox(models.Model):
    """Where agents answer incoming messages. Belongs to one office."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="inboxes")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="inboxes")
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "inboxes"
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="inbox_name_unique_per_office")
        ]

    def __str__(self) -> str:
        return self.name


class Conversation(models.Model):
    """The messages between one of our numbers and one contact, in one context (a campaign's
    contact points at its conversation; inboxes never look up at campaigns).

    The numbers are kept as E.164 text rather than foreign keys: phone numbers stand below
    inboxes in the app order, and a message must keep its ends even after a number is released.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="conversations"
    )
    number_e164 = models.CharField("our number", max_length=16)
    contact_e164 = models.CharField("contact", max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number_e164} ↔ {self.contact_e164}"


class Direction(models.TextChoices):
    OUT = "out", "Sent"
    IN = "in", "Received"


class MessageStatus(models.TextChoices):
    """Delivery status of an outgoing message; an incoming one is ``received``."""

    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    RECEIVED = "received", "Received"


class Message(models.Model):
    """One text. An outgoing message is recorded first (``queued``) under an idempotency key,
    so a double click or a retried request records it once; a worker then delivers it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=MessageStatus.choices)
    failure_reason = models.CharField(max_length=300, blank=True)
    carrier_message_id = models.CharField(max_length=100, blank=True)
    idempotency_key = models.CharField(max_length=100, unique=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["carrier_message_id"],
                condition=~Q(carrier_message_id=""),
                name="message_by_carrier_id",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(direction="in", status="received")
                | Q(direction="out", status__in=["queued", "sent", "delivered", "failed"]),
                name="message_status_fits_direction",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.body[:40]}"
