"""The Twilio adapter against Twilio's own contract: every request validated by Prism serving
Twilio's OpenAPI specs (the ``twilio`` fixture fails a test on any violation), with the account's
state and the faults a mock cannot decide scripted at the HTTP edge (tests/twilio_mock.py)."""

import pytest
from twilio.base.exceptions import TwilioException

from phone_numbers.models import AttemptOutcome, PhoneNumber
from phone_numbers.models import ProvisioningStatus as S
from provisioning.carriers import get_carrier
from provisioning.carriers.base import (
    AmbiguousWriteError,
    AvailableNumber,
    DeliveryState,
    FailureScope,
    NoInventory,
    NumberUnavailable,
    OwnedNumber,
    PermanentProviderError,
    ProvisioningHandle,
    ProvisioningState,
    RateLimited,
    TransientProviderError,
)
from provisioning.carriers.twilio import TwilioCarrier
from provisioning.polling import provisioning_poll
from provisioning.submitting import number_submit
from tests.twilio_mock import SERVICE_SID, TwilioFake

pytestmark = pytest.mark.django_db

BUY = r"/IncomingPhoneNumbers\.json$"
POOL = r"/Services/MG\w+/PhoneNumbers$"


def _carrier() -> TwilioCarrier:
    carrier = get_carrier()
    assert isinstance(carrier, TwilioCarrier)
    return carrier


# --- the contract check itself ------------------------------------------------------------
def test_a_request_that_breaks_twilios_spec_is_caught(twilio: TwilioFake) -> None:
    carrier = _carrier()

    with pytest.raises(TwilioException):
        carrier.client.available_phone_numbers("US").local.page(area_code="four-one-five")

    assert len(twilio.violations) == 1
    assert "areacode must be integer" in twilio.violations[0]
    twilio.violations.clear()  # the fixture would fail this test; the point is made


# --- search and buy -----------------------------------------------------------------------
def test_search_asks_for_sms_enabled_numbers_in_the_area_code(twilio: TwilioFake) -> None:
    found = _carrier().search_numbers(area_code="415", quantity=3)

    assert [n.e164 for n in found] == ["+14155550100", "+14155550101", "+14155550102"]
    assert found[0].region == "Springfield, CA"
    (call,) = twilio.calls_to("GET", r"/AvailablePhoneNumbers/US/Local\.json$")
    assert call.query == {"AreaCode": ["415"], "SmsEnabled": ["true"], "PageSize": ["3"]}


def test_an_area_code_with_nothing_for_sale_is_an_empty_search(twilio: TwilioFake) -> None:
    twilio.empty_area_codes.add("212")
    twilio.fail("GET", "/Local.json$", 400, 21452)

    assert _carrier().search_numbers(area_code="415") == []  # 21452
    assert _carrier().search_numbers(area_code="212") == []  # an empty page
    assert _carrier().search_numbers(area_code="21") == []  # never asked
    assert len(twilio.calls_to("GET", "/Local.json$")) == 2


def test_a_purchase_is_named_by_its_idempotency_key_and_bought_once(twilio: TwilioFake) -> None:
    carrier = _carrier()
    candidate = AvailableNumber("+14155550104", "415")

    owned = carrier.acquire_number(idempotency_key="order-1-1", candidate=candidate)
    again = carrier.acquire_number(idempotency_key="order-1-1", candidate=candidate)

    assert owned == again
    assert owned.e164 == "+14155550104"
    assert owned.carrier_number_id.startswith("PN")
    (buy,) = twilio.calls_to("POST", BUY)
    assert buy.form == {"PhoneNumber": ["+14155550104"], "FriendlyName": ["order-1-1"]}
    lookups = twilio.calls_to("GET", BUY)
    assert [c.query["FriendlyName"] for c in lookups] == [["order-1-1"], ["order-1-1"]]


def test_a_purchase_whose_answer_was_lost_is_found_by_its_key(twilio: TwilioFake) -> None:
    carrier = _carrier()
    twilio.time_out("POST", BUY, after_applying=True)

    with pytest.raises(AmbiguousWriteError) as raised:
        carrier.acquire_number(idempotency_key="order-2-1", area_code="415")

    assert raised.value.idempotency_key == "order-2-1"
    found = carrier.reconcile("order-2-1")
    assert found is not None
    assert found.e164 == "+14155550100"
    assert carrier.acquire_number(idempotency_key="order-2-1", area_code="415") == found
    assert len(twilio.owned) == 1


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (400, 21422, NumberUnavailable),
        (400, 21452, NoInventory),
        (400, 21451, PermanentProviderError),
    ],
)
def test_purchase_errors_are_mapped(twilio: TwilioFake, status, code, error) -> None:
    twilio.fail("POST", BUY, status, code)

    with pytest.raises(error):
        _carrier().acquire_number(
            idempotency_key="k", candidate=AvailableNumber("+14155550100", "415")
        )

    assert twilio.owned == {}


@pytest.mark.parametrize(
    ("status", "code", "headers"),
    [(429, 20429, {"Retry-After": "7"}), (429, None, {"Retry-After": "7"})],
)
def test_rate_limits_honour_retry_after(twilio: TwilioFake, status, code, headers) -> None:
    twilio.fail("GET", "/Local.json$", status, code, **headers)

    with pytest.raises(RateLimited) as raised:
        _carrier().search_numbers(area_code="415")

    assert raised.value.retry_after == 7.0


def test_5xx_and_timeouts_are_transient_and_a_timed_out_purchase_is_ambiguous(
    twilio: TwilioFake,
) -> None:
    carrier = _carrier()
    twilio.fail("GET", "/Local.json$", 503)
    twilio.time_out("GET", "/Local.json$")
    twilio.time_out("POST", BUY)

    with pytest.raises(TransientProviderError, match="503"):
        carrier.search_numbers(area_code="415")
    with pytest.raises(TransientProviderError, match="did not answer in time"):
        carrier.search_numbers(area_code="415")
    with pytest.raises(AmbiguousWriteError):
        carrier.acquire_number(idempotency_key="k-3", area_code="415")
    assert carrier.reconcile("k-3") is None  # this time it had not happened


# --- the engine through the adapter -------------------------------------------------------
def test_the_engine_walks_to_the_next_area_code_and_candidate_without_an_attempt(
    twilio: TwilioFake, order
) -> None:
    twilio.empty_area_codes.add("212")
    twilio.fail("POST", BUY, 400, 21422)  # the first candidate of 415 was sold since the search
    number = order("212", "415")

    assert number_submit(phone_number_id=number.pk).outcome == "submitted"

    number.refresh_from_db()
    assert number.provisioning_status == S.INITIATED
    assert number.e164 == "+14155550101"
    assert number.attempts == 1
    assert twilio.pool == {number.carrier_number_id}
    assert number.carrier_provisioning_ref == number.carrier_number_id
    assert twilio.owned[number.carrier_number_id]["friendly_name"] == (
        f"{number.idempotency_key}-1"
    )


def test_the_engine_settles_a_lost_purchase_answer_by_the_friendly_name(
    twilio: TwilioFake, order
) -> None:
    twilio.time_out("POST", BUY, after_applying=True)
    number = order("415")

    assert number_submit(phone_number_id=number.pk).outcome == "submitted"

    number.refresh_from_db()
    assert len(twilio.owned) == 1
    assert number.carrier_number_id in twilio.owned
    assert len(twilio.calls_to("POST", BUY)) == 1  # found by its name, not bought again
    assert number.attempts == 1


def test_the_engine_waits_out_a_rate_limit_and_an_outage_without_an_attempt(
    twilio: TwilioFake, order
) -> None:
    number = order("415")
    twilio.fail("GET", "/Local.json$", 429, 20429, **{"Retry-After": "30"})
    twilio.fail("POST", POOL, 502)

    assert number_submit(phone_number_id=number.pk).retry_in == 30.0
    result = number_submit(phone_number_id=number.pk, retries=2)
    assert result.outcome == "retry"
    assert result.retry_in == 4.0
    assert number_submit(phone_number_id=number.pk).outcome == "submitted"

    number.refresh_from_db()
    assert number.attempts == 1
    assert len(twilio.owned) == 1  # the number bought before the outage was kept, not rebought


def test_a_number_in_another_messaging_service_is_rejected_and_replaced(
    twilio: TwilioFake, order, django_capture_on_commit_callbacks
) -> None:
    number = order("415")
    twilio.fail("POST", POOL, 400, 21712)

    with django_capture_on_commit_callbacks() as callbacks:
        assert number_submit(phone_number_id=number.pk).outcome == "rejected"

    number.refresh_from_db()
    assert number.provisioning_status == S.REQUESTED
    attempt = number.provisioning_attempts.get()
    assert attempt.outcome == AttemptOutcome.REJECTED
    assert "21712" in attempt.reason
    assert len(callbacks) == 2  # the number given back, and a new one submitted


def test_a_number_already_in_our_pool_is_submitted(twilio: TwilioFake) -> None:
    """An earlier try added it and lost the answer: Twilio says "already added" (80104)."""
    carrier = _carrier()
    owned = carrier.acquire_number(idempotency_key="again", area_code="415")
    twilio.time_out("POST", POOL, after_applying=True)

    with pytest.raises(TransientProviderError):
        carrier.submit_provisioning(number=owned, campaign_ref="", customer_reference="r")
    handle = carrier.submit_provisioning(number=owned, campaign_ref="", customer_reference="r")

    assert handle.ref == owned.carrier_number_id
    assert twilio.pool == {owned.carrier_number_id}
    assert len(twilio.calls_to("GET", r"/PhoneNumbers/PN\w+$")) == 1


def test_a_full_sender_pool_fails_the_order(twilio: TwilioFake, order) -> None:
    number = order("415")
    twilio.fail("POST", POOL, 400, 21714)

    assert number_submit(phone_number_id=number.pk).outcome == "failed"

    number.refresh_from_db()
    assert number.provisioning_status == S.FAILED
    assert "21714" in number.failure_reason


def test_a_refused_campaign_fails_the_order_before_the_pool(twilio: TwilioFake, order) -> None:
    twilio.campaign_status = "FAILED"
    number = order("415")

    assert number_submit(phone_number_id=number.pk).outcome == "failed"

    number.refresh_from_db()
    assert number.failure_reason == (
        f"The 10DLC campaign of Messaging Service {SERVICE_SID} is FAILED."
    )
    assert twilio.calls_to("POST", POOL) == []


# --- status: the campaign polled, the numbers from their events ---------------------------
def test_the_poll_reads_the_campaign_and_the_stored_registration(twilio: TwilioFake, order) -> None:
    from provisioning.carriers.twilio_state import TwilioRegistrationEvent

    number = order("415")
    number_submit(phone_number_id=number.pk)
    number.refresh_from_db()
    handle = ProvisioningHandle(number.carrier_provisioning_ref, number.e164 or "")
    carrier = _carrier()

    twilio.campaign_status = "IN_PROGRESS"
    assert carrier.get_provisioning_status(handle).state == ProvisioningState.PENDING
    twilio.campaign_status = "SUSPENDED"
    suspended = carrier.get_provisioning_status(handle)
    assert (suspended.state, suspended.scope) == (ProvisioningState.FAILED, FailureScope.CAMPAIGN)

    twilio.campaign_status = "VERIFIED"
    TwilioRegistrationEvent.objects.create(
        event_id="EV1",
        phone_number_sid=handle.ref,
        outcome="complete",
        occurred_at="2026-11-30T01:00:00Z",
    )
    PhoneNumber.objects.filter(pk=number.pk).update(next_poll_at=number.attempt_started_at)
    report = provisioning_poll()

    number.refresh_from_db()
    assert report.completed == 1
    assert number.provisioning_status == S.COMPLETE
    assert len(twilio.calls_to("GET", "/Compliance/Usa2p$")) == 4  # submit + three reads


def test_a_campaign_service_without_a_campaign_refuses(twilio: TwilioFake) -> None:
    twilio.campaign_status = None
    handle = ProvisioningHandle("PN" + "1" * 32, "+14155550100")

    status = _carrier().get_provisioning_status(handle)

    assert status.state == ProvisioningState.FAILED
    assert "has no US A2P 10DLC campaign" in status.reason


# --- release ------------------------------------------------------------------------------
def test_release_leaves_the_pool_then_gives_the_number_back_and_is_idempotent(
    twilio: TwilioFake,
) -> None:
    carrier = _carrier()
    owned = carrier.acquire_number(idempotency_key="r-1", area_code="415")
    carrier.submit_provisioning(number=owned, campaign_ref="", customer_reference="r")
    twilio.calls.clear()

    carrier.release_number(carrier_number_id=owned.carrier_number_id)
    carrier.release_number(carrier_number_id=owned.carrier_number_id)  # already gone: fine

    assert twilio.owned == {}
    assert twilio.pool == set()
    assert [(c.method, c.path.rsplit("/", 2)[-2]) for c in twilio.calls] == [
        ("DELETE", "PhoneNumbers"),
        ("DELETE", "IncomingPhoneNumbers"),
    ] * 2


def test_a_release_refused_for_another_reason_is_an_error(twilio: TwilioFake) -> None:
    twilio.fail("DELETE", r"/PhoneNumbers/PN\w+$", 403, 20003)

    with pytest.raises(PermanentProviderError) as raised:
        _carrier().release_number(carrier_number_id="PN" + "2" * 32)

    assert raised.value.scope == FailureScope.ACCOUNT


# --- messages -----------------------------------------------------------------------------
def test_a_message_leaves_from_the_number_with_a_status_callback(twilio: TwilioFake) -> None:
    carrier = _carrier()

    sid = carrier.send_message(
        from_e164="+14155550100", to_e164="+16175550123", body="Hi!", idempotency_key="k1"
    )
    carrier.send_message(
        from_e164="", to_e164="+16175550123", body="From the service", idempotency_key="k2"
    )

    assert sid.startswith("SM")
    first, second = twilio.sent
    assert first == {
        "To": ["+16175550123"],
        "From": ["+14155550100"],
        "Body": ["Hi!"],
        "StatusCallback": ["https://longcode.example/hooks/twilio/status/"],
    }
    assert second["MessagingServiceSid"] == [SERVICE_SID]
    assert "From" not in second


def test_a_message_twilio_refuses_is_a_permanent_error(twilio: TwilioFake) -> None:
    twilio.fail("POST", r"/Messages\.json$", 400, 21610)

    with pytest.raises(PermanentProviderError, match="21610"):
        _carrier().send_message(
            from_e164="+14155550100", to_e164="+16175550123", body="Hi", idempotency_key="k3"
        )


def test_inbound_messages_and_status_callbacks_are_parsed(twilio: TwilioFake) -> None:
    carrier = _carrier()
    inbound = b"MessageSid=SM1&From=%2B16175550123&To=%2B14155550100&Body=STOP&NumMedia=0"
    delivered = b"MessageSid=SM2&MessageStatus=delivered"
    undelivered = b"MessageSid=SM3&MessageStatus=undelivered&ErrorCode=30003"
    sending = b"MessageSid=SM4&MessageStatus=sending"

    (message,) = carrier.parse_webhook(headers={}, body=inbound)
    assert (message.to_e164, message.from_e164, message.body) == (
        "+14155550100",
        "+16175550123",
        "STOP",
    )
    assert carrier.parse_status_webhook(headers={}, body=delivered)[0].state == (
        DeliveryState.DELIVERED
    )
    (failed,) = carrier.parse_status_webhook(headers={}, body=undelivered)
    assert (failed.state, failed.reason) == (DeliveryState.FAILED, "Twilio error 30003")
    assert carrier.parse_status_webhook(headers={}, body=sending) == []


def test_form_webhooks_are_verified_by_their_twilio_signature(twilio: TwilioFake) -> None:
    from twilio.request_validator import RequestValidator

    from tests.twilio_mock import AUTH_TOKEN

    carrier = _carrier()
    url = "https://longcode.example/hooks/twilio/inbound/"
    params = {"MessageSid": "SM1", "From": "+16175550123", "To": "+14155550100", "Body": "hi"}
    body = b"MessageSid=SM1&From=%2B16175550123&To=%2B14155550100&Body=hi"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)

    assert carrier.verify_webhook(
        url=url, headers={**form, "X-Twilio-Signature": signature}, body=body
    )
    assert not carrier.verify_webhook(
        url=url, headers={**form, "X-Twilio-Signature": signature}, body=body.replace(b"hi", b"ho")
    )
    assert not carrier.verify_webhook(
        url=url + "?x=1", headers={**form, "X-Twilio-Signature": signature}, body=body
    )
    assert not carrier.verify_webhook(url=url, headers=form, body=body)


def test_an_owned_number_is_what_the_protocol_expects(twilio: TwilioFake) -> None:
    owned = _carrier().acquire_number(idempotency_key="shape", area_code="617")

    assert owned == OwnedNumber("+16175550100", "617", owned.carrier_number_id, "shape")
