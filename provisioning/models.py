from django.db import models
from django.db.models import Q

from phone_numbers.models import PhoneNumber
from provisioning.carriers.base import CARRIERS
from provisioning.carriers.simulated_state import (  # noqa: F401  (registers the models)
    SimulatedCall,
    SimulatedMessage,
    SimulatedNumber,
    SimulatedSubmission,
)
from provisioning.carriers.twilio_state import TwilioRegistrationEvent  # noqa: F401


class CarrierStateChoice(models.TextChoices):
    """``provisioning.carriers.base.CarrierState`` as stored."""

    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class NumberRelease(models.Model):
    """A number we bought and are giving back to the carrier: one row per carrier number, kept
    until the carrier confirms (a number it no longer knows counts as given back).

    The row is the durable half of a release: it is written in the transaction that abandons
    the number, a task releases it after commit, and the poller sweeps the rows still
    unconfirmed (``next_try_at`` due), so a lost or failed task never leaves a number bought.
    """

    carrier_number_id = models.CharField(max_length=80, unique=True)
    e164 = models.CharField("number", max_length=16, blank=True)
    phone_number = models.ForeignKey(
        PhoneNumber,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carrier_releases",
    )
    requested_at = models.DateTimeField()
    # When the sweep tries again if the carrier has not confirmed by then; NULL once it has.
    next_try_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_try_at", "id"],
                condition=Q(released_at__isnull=True),
                name="number_release_due_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(released_at__isnull=True) | Q(next_try_at__isnull=True),
                name="number_release_done_is_not_due",
            )
        ]

    def __str__(self) -> str:
        state = "released" if self.released_at else "to release"
        return f"{self.e164 or self.carrier_number_id}: {state}"


class CarrierStatus(models.Model):
    """Where one carrier stands on a number's current submission (the carrier panel): one row
    per number and carrier, written by the poller with each answer the provider breaks down
    by carrier. ``attempt`` is the number's attempt the row speaks of; a later attempt makes
    the row stale until the next poll rewrites it."""

    phone_number = models.ForeignKey(
        PhoneNumber, on_delete=models.CASCADE, related_name="carrier_statuses"
    )
    carrier = models.CharField(max_length=10, choices=list(CARRIERS.items()))
    attempt = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=10, choices=CarrierStateChoice.choices)
    since = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["phone_number", "carrier"], name="one_status_per_number_and_carrier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_carrier_display()} {self.state} on {self.phone_number_id}"
