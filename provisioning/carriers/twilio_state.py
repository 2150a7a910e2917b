"""What Twilio tells us only by webhook: each number's A2P 10DLC registration.

Twilio has no public resource for a number's registration (research/carriers.md §1.2, §1.4):
it arrives as Event Streams deliveries — at least once, in no order. Each event is stored once
(its CloudEvents id is unique), and a number's state is read from all of its events, so neither
a duplicate nor a late ``pending`` can change what was decided.
"""

from collections.abc import Iterable

from django.db import models

from provisioning.carriers.base import FailureScope, ProvisioningState, ProvisioningStatus


class RegistrationOutcome(models.TextChoices):
    PENDING = "pending", "Registration pending"
    COMPLETE = "complete", "Registered"
    FAILED = "failed", "Registration failed"


class TwilioRegistrationEvent(models.Model):
    event_id = models.CharField(max_length=64, unique=True)
    phone_number_sid = models.CharField(max_length=34, db_index=True)
    e164 = models.CharField(max_length=16, blank=True)
    outcome = models.CharField(max_length=10, choices=RegistrationOutcome.choices)
    reason = models.TextField(blank=True)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.phone_number_sid} {self.outcome} ({self.event_id})"


def registration_statuses(phone_number_sids: Iterable[str]) -> dict[str, ProvisioningStatus]:
    """Each number's registration, from its stored events, in one query. A decision (registered
    or failed) is never undone by a ``pending``; between two decisions the later one counts."""
    sids = list(phone_number_sids)
    statuses = {sid: ProvisioningStatus(ProvisioningState.PENDING) for sid in sids}
    decided = TwilioRegistrationEvent.objects.filter(phone_number_sid__in=sids).exclude(
        outcome=RegistrationOutcome.PENDING
    )
    for event in decided.order_by("occurred_at", "id"):
        if event.outcome == RegistrationOutcome.COMPLETE:
            statuses[event.phone_number_sid] = ProvisioningStatus(ProvisioningState.COMPLETE)
        else:
            statuses[event.phone_number_sid] = ProvisioningStatus(
                ProvisioningState.FAILED, event.reason, FailureScope.NUMBER
            )
    return statuses
