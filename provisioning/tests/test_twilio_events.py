"""Twilio's Event Streams sink (``POST /hooks/twilio/events/``): signed deliveries of number
registration events — at least once, in no order — move the number through its one door."""

import pytest
from django.test import Client

from notifications.models import OutboxEmail
from phone_numbers.models import AttemptOutcome, PhoneNumber
from phone_numbers.models import ProvisioningStatus as S
from provisioning.carriers.twilio_state import TwilioRegistrationEvent
from provisioning.polling import provisioning_poll
from provisioning.submitting import number_submit
from tests.twilio_mock import TwilioFake, registration_event, signed_delivery

pytestmark = pytest.mark.django_db

URL = "http://testserver/hooks/twilio/events/"


def _deliver(events: list[dict], *, url: str = URL, signature: str | None = None):
    body, headers = signed_delivery(url, events)
    return Client().post(
        "/hooks/twilio/events/",
        data=body,
        content_type="application/json",
        headers={"X-Twilio-Signature": signature or headers["X-Twilio-Signature"]},
    )


@pytest.fixture
def submitted(twilio: TwilioFake, order) -> PhoneNumber:
    """A dedicated number bought and in the sender pool, waiting for its registration."""
    number = order("415")
    assert number_submit(phone_number_id=number.pk).outcome == "submitted"
    number.refresh_from_db()
    return number


def _event(number: PhoneNumber, event_id: str, outcome: str, at: str, **kwargs) -> dict:
    sid, e164 = number.carrier_number_id, number.e164 or ""
    return registration_event(event_id, outcome, sid=sid, e164=e164, at=at, **kwargs)


def test_a_successful_registration_completes_the_number(submitted, finished) -> None:
    response = _deliver([_event(submitted, "EV-1", "successful", "2026-11-30T01:00:00Z")])

    assert response.status_code == 200
    submitted.refresh_from_db()
    assert submitted.provisioning_status == S.COMPLETE
    assert submitted.provisioning_attempts.get().outcome == AttemptOutcome.APPROVED
    assert finished == [(submitted.pk, S.COMPLETE, True)]
    assert OutboxEmail.objects.filter(event=f"number:{submitted.pk}:complete").count() == 1


def test_a_delivery_repeated_is_applied_once(submitted, finished) -> None:
    event = _event(submitted, "EV-2", "successful", "2026-11-30T01:00:00Z")

    assert _deliver([event]).status_code == 200
    assert _deliver([event, event]).status_code == 200

    assert TwilioRegistrationEvent.objects.filter(event_id="EV-2").count() == 1
    assert len(finished) == 1
    assert OutboxEmail.objects.filter(event=f"number:{submitted.pk}:complete").count() == 1


def test_a_repeated_delivery_applies_what_an_earlier_one_stored_but_could_not_apply(
    submitted,
) -> None:
    """The first delivery was stored, then applying it failed (the web died, say): Twilio
    delivers it again, and this time the number moves."""
    event = _event(submitted, "EV-2b", "successful", "2026-11-30T01:00:00Z")
    TwilioRegistrationEvent.objects.create(
        event_id="EV-2b",
        phone_number_sid=submitted.carrier_number_id,
        outcome="complete",
        occurred_at="2026-11-30T01:00:00Z",
    )

    assert _deliver([event]).status_code == 200

    submitted.refresh_from_db()
    assert submitted.provisioning_status == S.COMPLETE
    assert TwilioRegistrationEvent.objects.count() == 1


def test_a_late_pending_never_moves_a_registered_number_back(submitted) -> None:
    _deliver([_event(submitted, "EV-3", "successful", "2026-11-30T01:05:00Z")])
    _deliver([_event(submitted, "EV-4", "pending", "2026-11-30T01:00:00Z")])
    _deliver([_event(submitted, "EV-5", "pending", "2026-11-30T01:10:00Z")])

    submitted.refresh_from_db()
    assert submitted.provisioning_status == S.COMPLETE
    assert TwilioRegistrationEvent.objects.count() == 3


def test_pending_then_successful_in_one_delivery_completes(submitted) -> None:
    response = _deliver(
        [
            _event(submitted, "EV-6", "successful", "2026-11-30T01:05:00Z"),
            _event(submitted, "EV-7", "pending", "2026-11-30T01:00:00Z"),
        ]
    )

    assert response.status_code == 200
    submitted.refresh_from_db()
    assert submitted.provisioning_status == S.COMPLETE


def test_a_pending_registration_changes_nothing(submitted) -> None:
    _deliver([_event(submitted, "EV-8", "pending", "2026-11-30T01:00:00Z")])

    submitted.refresh_from_db()
    assert submitted.provisioning_status == S.INITIATED
    assert submitted.provisioning_attempts.get().outcome == AttemptOutcome.PENDING


def test_a_failed_registration_ends_the_attempt_and_orders_a_new_number(
    submitted, twilio: TwilioFake, django_capture_on_commit_callbacks
) -> None:
    reason = "https://www.twilio.com/docs/errors/30909"
    with django_capture_on_commit_callbacks() as callbacks:
        _deliver([_event(submitted, "EV-9", "failed", "2026-11-30T01:00:00Z", reason=reason)])

    submitted.refresh_from_db()
    assert submitted.provisioning_status == S.REQUESTED
    assert submitted.carrier_number_id == ""
    attempt = submitted.provisioning_attempts.get()
    assert attempt.outcome == AttemptOutcome.REJECTED
    assert attempt.reason == f"Twilio could not register the number: {reason}"
    assert len(callbacks) == 2  # the number given back, and a new one submitted


def test_the_poller_applies_a_registration_the_hook_stored(submitted) -> None:
    """A registration stored but not applied (the web died after storing it) is picked up
    by the poll, which reads the same stored events."""
    TwilioRegistrationEvent.objects.create(
        event_id="EV-10",
        phone_number_sid=submitted.carrier_number_id,
        outcome="complete",
        occurred_at="2026-11-30T01:00:00Z",
    )
    PhoneNumber.objects.filter(pk=submitted.pk).update(next_poll_at=submitted.attempt_started_at)

    assert provisioning_poll().completed == 1

    submitted.refresh_from_db()
    assert submitted.provisioning_status == S.COMPLETE


def test_events_about_other_things_or_other_numbers_are_answered_and_ignored(
    submitted,
) -> None:
    campaign = {
        "specversion": "1.0",
        "type": "com.twilio.messaging.compliance.campaign-registration.campaign-approved",
        "id": "EV-11",
        "time": "2026-11-30T01:00:00Z",
        "data": {"campaignsid": "CM" + "0" * 32},
    }
    stranger = registration_event(
        "EV-12", "successful", sid="PN" + "9" * 32, e164="+12125550100", at="2026-11-30T01:00:00Z"
    )

    assert _deliver([campaign, stranger]).status_code == 200

    submitted.refresh_from_db()
    assert submitted.provisioning_status == S.INITIATED
    assert list(TwilioRegistrationEvent.objects.values_list("event_id", flat=True)) == ["EV-12"]


def test_a_delivery_twilio_did_not_sign_is_refused(submitted) -> None:
    event = _event(submitted, "EV-13", "successful", "2026-11-30T01:00:00Z")
    _, other = signed_delivery("https://elsewhere.example/hooks/twilio/events/", [event])

    assert _deliver([event], signature=other["X-Twilio-Signature"]).status_code == 403
    assert _deliver([event], signature="forged").status_code == 403
    unsigned = Client().post("/hooks/twilio/events/", data=b"[]", content_type="application/json")
    assert unsigned.status_code == 403

    submitted.refresh_from_db()
    assert submitted.provisioning_status == S.INITIATED
    assert TwilioRegistrationEvent.objects.count() == 0


def test_a_signed_body_that_is_not_a_delivery_is_a_bad_request(twilio: TwilioFake) -> None:
    assert _deliver({"not": "an array"}).status_code == 400  # type: ignore[arg-type]
    assert _deliver([{"type": f"{_TYPE}.successful", "id": "EV-14"}]).status_code == 400


_TYPE = "com.twilio.messaging.compliance.number-registration"


def test_the_sink_is_not_found_when_twilio_is_not_the_carrier(settings) -> None:
    settings.CARRIER_ADAPTER = "provisioning.carriers.simulated.SimulatedCarrier"

    assert _deliver([]).status_code == 404
    assert Client().get("/hooks/twilio/events/").status_code == 405
