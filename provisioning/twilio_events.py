"""Twilio's Event Streams deliveries about numbers' A2P registration, taken in.

Deliveries come at least once and in no order, and Twilio waits at most 5 s for our answer:
each event is stored once (by its id), and the number's registration — read from all its
stored events (``twilio_state.registration_statuses``) — is applied to the number at once,
through the engine's own path for a carrier's answer. A late ``pending`` never moves a
number back; an event about a number no longer waiting (decided, released, not ours) changes
nothing. The poller reads the same stored events, so a lost delivery is only a delay.
"""

import logging

from phone_numbers.models import AttemptOutcome, PhoneNumber
from phone_numbers.models import ProvisioningStatus as S
from provisioning.carriers.base import ProvisioningState, ProvisioningStatus
from provisioning.carriers.twilio import RegistrationEvent
from provisioning.carriers.twilio_state import TwilioRegistrationEvent, registration_statuses
from provisioning.transitions import Move, attempt_failed, number_transition

logger = logging.getLogger(__name__)


def registration_events_receive(*, events: list[RegistrationEvent]) -> int:
    """Stores the events not seen before and applies what the numbers' events decide; returns
    how many were new. A repeated delivery applies again (a no-op once the number moved on),
    so a delivery whose applying failed is healed by Twilio's own retry."""
    new = [event for event in events if _store_once(event)]
    sids = list(dict.fromkeys(event.phone_number_sid for event in events))
    for sid, status in registration_statuses(sids).items():
        if status.state != ProvisioningState.PENDING:
            number_registration_apply(phone_number_sid=sid, status=status)
    return len(new)


def _store_once(event: RegistrationEvent) -> bool:
    _, created = TwilioRegistrationEvent.objects.get_or_create(
        event_id=event.event_id,
        defaults={
            "phone_number_sid": event.phone_number_sid,
            "e164": event.e164,
            "outcome": event.outcome,
            "reason": event.reason,
            "occurred_at": event.occurred_at,
        },
    )
    if not created:
        logger.info("Event Streams delivered %s again; ignored", event.event_id)
    return created


def number_registration_apply(*, phone_number_sid: str, status: ProvisioningStatus) -> bool:
    """Applies a number's registration result through the number's one door, as the poller
    applies a carrier's answer. The only place a webhook changes number state. False when no
    number was waiting on it (the door also skips a number that moved meanwhile)."""
    number = (
        PhoneNumber.objects.select_related("requested_by", "use_case", "organization")
        .filter(provisioning_status=S.INITIATED, carrier_number_id=phone_number_sid)
        .first()
    )
    if number is None:
        return False
    if status.state == ProvisioningState.COMPLETE:
        move = Move(number, S.COMPLETE, AttemptOutcome.APPROVED)
    else:
        move = attempt_failed(
            number, outcome=AttemptOutcome.REJECTED, reason=status.reason, scope=status.scope
        )
    return number_transition(move=move) is not None
