"""The Twilio adapter under a real Celery worker: faults ride the task's retries without using
an attempt, a failed registration gives the number back to Twilio (out of the pool, released)
and a new number is bought, registered and completed."""

import pytest
from django.db import transaction
from django.utils import timezone

from phone_numbers.models import AttemptOutcome, PhoneNumber
from phone_numbers.models import ProvisioningStatus as S
from provisioning.carriers.base import ProvisioningState
from provisioning.carriers.twilio import RegistrationEvent
from provisioning.twilio_events import registration_events_receive
from tests.twilio_mock import TwilioFake
from tests.waiting import wait_for

pytestmark = pytest.mark.usefixtures("celery_worker")


def _registered(
    number: PhoneNumber, event_id: str, outcome: ProvisioningState, reason: str = ""
) -> None:
    registration_events_receive(
        events=[
            RegistrationEvent(
                event_id=event_id,
                outcome=outcome,
                phone_number_sid=number.carrier_number_id,
                e164=number.e164 or "",
                reason=reason,
                occurred_at=timezone.now(),
            )
        ]
    )


def _initiated(pk: int, attempts: int) -> PhoneNumber | None:
    return PhoneNumber.objects.filter(
        pk=pk, provisioning_status=S.INITIATED, attempts=attempts
    ).first()


def test_faults_retry_and_a_failed_registration_is_replaced(twilio: TwilioFake, order) -> None:
    twilio.fail("GET", "/Local.json$", 429, 20429, **{"Retry-After": "1"})
    twilio.fail("POST", r"/Services/MG\w+/PhoneNumbers$", 503)
    with transaction.atomic():
        number = order("415")

    wait_for(lambda: _initiated(number.pk, 1), what="the first number submitted")
    first = PhoneNumber.objects.get(pk=number.pk)
    assert twilio.pool == {first.carrier_number_id}

    _registered(
        first, "EV-w1", ProvisioningState.FAILED, "https://www.twilio.com/docs/errors/30909"
    )

    wait_for(lambda: _initiated(number.pk, 2), what="a new number submitted")
    wait_for(lambda: first.carrier_number_id not in twilio.owned, what="the first released")
    second = PhoneNumber.objects.get(pk=number.pk)
    assert second.carrier_number_id != first.carrier_number_id
    assert twilio.pool == {second.carrier_number_id}

    _registered(second, "EV-w2", ProvisioningState.COMPLETE)

    second.refresh_from_db()
    assert second.provisioning_status == S.COMPLETE
    outcomes = list(second.provisioning_attempts.values_list("outcome", flat=True))
    assert outcomes == [AttemptOutcome.REJECTED, AttemptOutcome.APPROVED]
    assert twilio.faults == []
