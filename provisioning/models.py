from django.db import models
from django.db.models import Q

from phone_numbers.models import PhoneNumber
from provisioning.carriers.simulated_state import (  # noqa: F401  (registers the models)
    SimulatedCall,
    SimulatedNumber,
    SimulatedSubmission,
)
from provisioning.carriers.twilio_state import TwilioRegistrationEvent  # noqa: F401


class AttemptOutcome(models.TextChoices):
    PENDING = "pending", "Waiting for the carriers"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Deadline passed"
    RELEASED = "released", "Released"


class ProvisioningAttempt(models.Model):
    """One submission of a number to the carriers: rejected, approved, or past its deadline.

    Transport faults never make a row; the ``n``-th row is the ``n``-th of the five attempts.
    """

    phone_number = models.ForeignKey(
        PhoneNumber, on_delete=models.CASCADE, related_name="provisioning_attempts"
    )
    n = models.PositiveSmallIntegerField("attempt")
    e164 = models.CharField("number", max_length=16)
    area_code = models.CharField(max_length=3)
    carrier_provisioning_ref = models.CharField(max_length=80)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=10, choices=AttemptOutcome.choices, default=AttemptOutcome.PENDING
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["phone_number", "n"]
        constraints = [
            models.UniqueConstraint(fields=["phone_number", "n"], name="one_row_per_attempt"),
            models.CheckConstraint(condition=Q(n__gte=1), name="attempt_n_from_one"),
            models.CheckConstraint(
                condition=Q(outcome="pending", ended_at__isnull=True)
                | (~Q(outcome="pending") & Q(ended_at__isnull=False)),
                name="attempt_ended_unless_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.n} for {self.e164}: {self.get_outcome_display()}"
