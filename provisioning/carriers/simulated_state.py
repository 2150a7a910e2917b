"""The simulated carrier's own state, in the database so web, worker and beat agree."""

from django.db import models


class SimulatedNumberState(models.TextChoices):
    AVAILABLE = "available", "For sale"
    OWNED = "owned", "Owned"
    RELEASED = "released", "Released (aging, not for sale)"


class SimulatedNumber(models.Model):
    """The carrier's inventory: a few dozen numbers per area code, generated on first use."""

    e164 = models.CharField(max_length=16, unique=True)
    area_code = models.CharField(max_length=3)
    state = models.CharField(
        max_length=10, choices=SimulatedNumberState.choices, default=SimulatedNumberState.AVAILABLE
    )
    # The key of the purchase: the same key never buys twice.
    idempotency_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    carrier_number_id = models.CharField(max_length=40, blank=True)
    acquired_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["area_code", "state", "e164"])]

    def __str__(self) -> str:
        return f"{self.e164} ({self.state})"


class SimulatedSubmission(models.Model):
    """A provisioning submission; its outcome is decided at submit time and revealed at
    ``decide_at``: when the last carrier approves, or when the one that rejects does.

    ``carriers`` holds each carrier's own decision, ``{"carrier", "after", "approved",
    "reason"}`` with ``after`` its latency in seconds; none carries a later moment than
    ``decide_at`` for an approved submission.
    """

    ref = models.CharField(max_length=40, unique=True)
    # One submission per bought number: submitting it again answers the same submission.
    carrier_number_id = models.CharField(max_length=40, unique=True)
    customer_reference = models.CharField(max_length=80)
    e164 = models.CharField(max_length=16)
    area_code = models.CharField(max_length=3)
    submitted_at = models.DateTimeField()
    decide_at = models.DateTimeField()
    approved = models.BooleanField()
    reason = models.CharField(max_length=200, blank=True)
    carriers = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["customer_reference", "area_code"])]

    def __str__(self) -> str:
        return f"{self.ref} {self.e164}"


class SimulatedCall(models.Model):
    """How often an operation was called with a key, so injected errors are deterministic for
    the seed and yet a retry can succeed."""

    key = models.CharField(max_length=200, unique=True)
    calls = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.calls} calls"


class SimulatedMessage(models.Model):
    """A text the simulated carrier sent — its books, as a provider's message log. A request
    repeating an idempotency key is answered with the message already sent (``requests``
    counts them) and sends nothing."""

    carrier_message_id = models.CharField(max_length=100, unique=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    from_e164 = models.CharField(max_length=16)
    to_e164 = models.CharField(max_length=16)
    body = models.TextField()
    requests = models.PositiveIntegerField(default=1)
    sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.carrier_message_id} to {self.to_e164}"
