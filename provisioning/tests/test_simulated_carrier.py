"""The simulated carrier behaves like a real one, deterministically for its seed."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.carrier_knobs import parse_flaky, parse_latency, parse_phones
from provisioning.carriers import get_carrier
from provisioning.carriers.base import (
    AmbiguousWriteError,
    NoInventory,
    NumberUnavailable,
    ProvisioningState,
    TransientProviderError,
)
from provisioning.carriers.simulated import SimulatedCarrier, webhook_headers
from provisioning.carriers.simulated_state import SimulatedNumber, SimulatedNumberState

pytestmark = pytest.mark.django_db


@pytest.fixture
def carrier(settings) -> SimulatedCarrier:
    settings.SIMULATED_CARRIER_LATENCY = "0-0"
    return SimulatedCarrier()


def test_get_carrier_loads_the_configured_adapter() -> None:
    assert isinstance(get_carrier(), SimulatedCarrier)


def test_inventory_is_finite_and_the_same_for_the_same_seed(carrier) -> None:
    first = carrier.search_numbers(area_code="212", quantity=50)
    SimulatedNumber.objects.all().delete()

    again = carrier.search_numbers(area_code="212", quantity=50)

    assert len(first) == 36
    assert first == again
    assert all(n.e164.startswith("+1212") and len(n.e164) == 12 for n in first)


def test_a_different_seed_gives_different_numbers(carrier, settings) -> None:
    first = carrier.search_numbers(area_code="212")
    SimulatedNumber.objects.all().delete()
    settings.SIMULATED_CARRIER_SEED = 7

    assert SimulatedCarrier().search_numbers(area_code="212") != first


def test_an_empty_area_code_has_nothing_to_buy(carrier) -> None:
    assert carrier.search_numbers(area_code="000") == []
    with pytest.raises(NoInventory):
        carrier.acquire_number(idempotency_key="k1", area_code="000")


def test_the_same_key_buys_once(carrier) -> None:
    one = carrier.acquire_number(idempotency_key="k1", area_code="415")
    two = carrier.acquire_number(idempotency_key="k1", area_code="415")

    assert one == two
    assert SimulatedNumber.objects.filter(state=SimulatedNumberState.OWNED).count() == 1
    assert carrier.reconcile("k1") == one
    assert carrier.reconcile("k2") is None


def test_a_number_sold_since_the_search_is_unavailable(carrier) -> None:
    [candidate] = carrier.search_numbers(area_code="415", quantity=1)
    carrier.acquire_number(idempotency_key="k1", candidate=candidate)

    with pytest.raises(NumberUnavailable):
        carrier.acquire_number(idempotency_key="k2", candidate=candidate)


def test_fail_and_flaky_area_codes_decide_submissions(carrier) -> None:
    def outcome(code: str, key: str, reference: str) -> ProvisioningState:
        owned = carrier.acquire_number(idempotency_key=key, area_code=code)
        handle = carrier.submit_provisioning(
            number=owned, campaign_ref="C1", customer_reference=reference
        )
        return carrier.get_provisioning_status(handle).state

    assert outcome("999", "a", "order-1") == ProvisioningState.FAILED
    assert [outcome("998", f"b{n}", "order-2") for n in range(3)] == [
        ProvisioningState.FAILED,
        ProvisioningState.FAILED,
        ProvisioningState.COMPLETE,
    ]
    assert outcome("998", "c", "order-3") == ProvisioningState.FAILED
    assert outcome("212", "d", "order-4") == ProvisioningState.COMPLETE


def test_carriers_decide_after_the_latency(settings) -> None:
    settings.SIMULATED_CARRIER_LATENCY = "3600-7200"
    carrier = SimulatedCarrier()
    owned = carrier.acquire_number(idempotency_key="k", area_code="212")

    handle = carrier.submit_provisioning(number=owned, campaign_ref="C", customer_reference="o")

    assert carrier.get_provisioning_status(handle).state == ProvisioningState.PENDING
    assert carrier.submit_provisioning(number=owned, campaign_ref="C", customer_reference="o") == (
        handle
    )


def test_release_is_idempotent(carrier) -> None:
    owned = carrier.acquire_number(idempotency_key="k", area_code="212")

    carrier.release_number(carrier_number_id=owned.carrier_number_id)
    carrier.release_number(carrier_number_id=owned.carrier_number_id)
    carrier.release_number(carrier_number_id="SIMPN-unknown")

    assert SimulatedNumber.objects.get(e164=owned.e164).state == SimulatedNumberState.RELEASED
    assert owned.e164 not in {n.e164 for n in carrier.search_numbers(area_code="212", quantity=50)}


def test_injected_errors_are_deterministic_and_ambiguous_writes_happened(carrier, settings):
    settings.SIMULATED_CARRIER_ERROR_RATE = 1.0
    faulty = SimulatedCarrier()
    seen: list[str] = []
    for n in range(12):
        try:
            faulty.acquire_number(idempotency_key=f"key-{n}", area_code="212")
            seen.append("ok")
        except AmbiguousWriteError:
            seen.append("ambiguous")
        except TransientProviderError as error:
            seen.append(type(error).__name__)
    assert "ambiguous" in seen
    assert "ok" not in seen
    bought = SimulatedNumber.objects.filter(state=SimulatedNumberState.OWNED).count()
    assert bought == seen.count("ambiguous")


def test_webhook_signature_round_trip(carrier) -> None:
    body = b'{"to": "+12125550100", "from": "+13125550100", "body": "STOP", "id": "m1"}'
    headers = webhook_headers(body)

    assert carrier.verify_webhook(url="", headers=headers, body=body)
    assert not carrier.verify_webhook(
        headers={**headers, "X-Simulated-Signature": "bad"}, body=body
    )
    [message] = carrier.parse_webhook(headers=headers, body=body)
    assert (message.to_e164, message.body) == ("+12125550100", "STOP")


@pytest.mark.parametrize("bad", ["5", "30-5", "a-b"])
def test_malformed_latency_is_refused(bad: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="MIN-MAX"):
        parse_latency(bad)


def test_flaky_codes_parse() -> None:
    assert parse_flaky("998:2, 997:1") == {"998": 2, "997": 1}
    with pytest.raises(ImproperlyConfigured, match="CODE:N"):
        parse_flaky("998")


def test_undeliverable_numbers_must_be_e164() -> None:
    assert parse_phones("SIMULATED_CARRIER_UNDELIVERABLE", "+12125550100, +13105550100") == {
        "+12125550100",
        "+13105550100",
    }
    with pytest.raises(ImproperlyConfigured, match=r"212555 is not an E\.164 number"):
        parse_phones("SIMULATED_CARRIER_UNDELIVERABLE", "212555")
