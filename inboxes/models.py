from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

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


class IdkReview(models.Model):
    """An office's review inbox: where the bot copies the conversations it could not answer
    (part of the office's IDK behaviour). A row of its own, not a column of the office or the
    inbox, so neither table is rebuilt (SQLite rebuilds tables that its triggers name)."""

    office = models.OneToOneField(Office, on_delete=models.CASCADE, related_name="idk_review")
    inbox = models.ForeignKey(Inbox, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.office}: {self.inbox}"


class ConversationStatus(models.TextChoices):
    NEEDS_ATTENTION = "needs_attention", "Needs Attention"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Conversation(models.Model):
    """The messages between one of our numbers and one contact, in one context (a campaign's
    contact points at its conversation; inboxes never look up at campaigns).

    The numbers are kept as E.164 text rather than foreign keys: phone numbers stand below
    inboxes in the app order, and a message must keep its ends even after a number is released.

    Outside campaigns a conversation is an agent-backed number's, one per inbox it delivers to;
    the bot's (``bot``), which may also sit in an inbox for review; or, with neither, one
    that reached no inbox and is shown to admins as undelivered.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="conversations"
    )
    number_e164 = models.CharField("our number", max_length=16)
    contact_e164 = models.CharField("contact", max_length=16)
    inbox = models.ForeignKey(
        Inbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="conversations"
    )
    bot = models.BooleanField(default=False, help_text="The bot answers this conversation.")
    status = models.CharField(
        max_length=16, choices=ConversationStatus.choices, default=ConversationStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_message_at = models.DateTimeField(null=True, blank=True)
    # Unread while the contact wrote after the last time someone opened the conversation.
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["inbox", "status", "-last_message_at"], name="conversation_inbox_tab"
            ),
            models.Index(
                fields=["organization", "number_e164", "contact_e164"],
                name="conversation_by_ends",
            ),
        ]

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


class Origin(models.TextChoices):
    """Who wrote an outgoing message (blank: a campaign's sender, named by ``sent_by``)."""

    SENDER = "", "Sender"
    AGENT = "agent", "Agent"
    BOT = "bot", "Bot"
    AUTO = "auto", "Automatic reply"


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
    origin = models.CharField(max_length=5, choices=Origin.choices, blank=True, default="")
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
    # Given by message_record_outgoing when the message starts its conversation, which then
    # carries the same time without being updated again; now otherwise.
    created_at = models.DateTimeField(default=timezone.now, editable=False, blank=True)
    status_at = models.DateTimeField(auto_now_add=True)
    # Delivery of a queued message (provisioning.delivery): how often it was handed to the
    # carrier, and when a sweep may take it again — past a first-attempt grace, a transient
    # error's backoff, or the lease of a send whose worker died.
    send_attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["carrier_message_id"],
                condition=~Q(carrier_message_id=""),
                name="message_by_carrier_id",
            ),
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="queued"),
                name="message_queued_due",
            ),
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


class Route(models.TextChoices):
    """Where an inbound message went (DESIGN.md "Inbound messages")."""

    OPT_OUT = "opt_out", "Opted out"
    OPT_IN = "opt_in", "Opted back in"
    HELP = "help", "Help text sent"
    CAMPAIGN = "campaign", "Campaign conversation"
    INBOX = "inbox", "Inbox, Needs Attention"
    BOT = "bot", "Bot"
    UNDELIVERED = "undelivered", "Undelivered (agent-backed number without an inbox)"
    NUMBER = "number", "Stored for admins (number not in an active campaign)"
    UNROUTED = "unrouted", "Unrouted (number matches nothing)"


class InboundMessage(models.Model):
    """A text a carrier delivered to us, exactly once per carrier message id: the audit trail
    of what arrived and where it went, and the routing queue (``routed_at`` is null until a
    worker routed it)."""

    carrier = models.CharField(max_length=40)
    carrier_message_id = models.CharField(max_length=100)
    to_e164 = models.CharField("to", max_length=16)
    from_e164 = models.CharField("from", max_length=16)
    body = models.TextField()
    received_at = models.DateTimeField(auto_now_add=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    route = models.CharField(max_length=12, choices=Route.choices, blank=True)
    routed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(
                fields=["received_at"], condition=Q(routed_at__isnull=True), name="inbound_to_route"
            ),
            models.Index(
                fields=["-received_at"], condition=Q(route="unrouted"), name="inbound_unrouted"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "carrier_message_id"], name="inbound_once_per_carrier_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_e164} → {self.to_e164}: {self.body[:40]}"


class BotAnswer(models.Model):
    """One of an office's question/answer pairs: any of its phrases in a message → the answer."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="bot_answers")
    phrases = models.TextField(
        help_text="Keywords or phrases, one per line; a message containing any of them "
        "(as whole words, any case) gets this answer."
    )
    answer = models.CharField(max_length=320)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.answer[:40]

    @property
    def phrase_list(self) -> list[str]:
        return [line.strip() for line in self.phrases.splitlines() if line.strip()]
