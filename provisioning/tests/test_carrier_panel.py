"""Per-carrier provisioning detail: the simulated carrier decides per carrier, the poller keeps
each carrier's state on the number in constant statements, and the panel shows it."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns.tests.factories import CampaignFactory
from phone_numbers.models import Kind, PhoneNumber, ProvisioningStatus
from phone_numbers.tests.factories import PhoneNumberFactory
from provisioning.carriers.base import ProvisioningHandle, ProvisioningState
from provisioning.carriers.simulated import SimulatedCarrier
from provisioning.carriers.simulated_state import SimulatedSubmission
from provisioning.models import CarrierStatus
from provisioning.polling import provisioning_poll
from provisioning.submitting import number_submit

pytestmark = pytest.mark.django_db

LATENCY = "10-100"


def submit(area_code: str, reference: str, key: str) -> tuple[ProvisioningHandle, SimulatedCarrier]:
    sim = SimulatedCarrier()
    owned = sim.acquire_number(idempotency_key=key, area_code=area_code)
    handle = sim.submit_provisioning(number=owned, campaign_ref="", customer_reference=reference)
    return handle, sim


def moments(handle: ProvisioningHandle) -> dict[str, float]:
    """Each carrier's latency, as the simulator drew it."""
    row = SimulatedSubmission.objects.get(ref=handle.ref)
    return {c["carrier"]: c["after"] for c in row.carriers}


def states_at(sim: SimulatedCarrier, handle: ProvisioningHandle, seconds: float):
    submitted = SimulatedSubmission.objects.get(ref=handle.ref).submitted_at
    with time_machine.travel(submitted + timedelta(seconds=seconds), tick=False):
        status = sim.get_provisioning_status(handle)
    return status, {d.carrier: d.state for d in status.carriers}


def test_each_carrier_approves_after_its_own_latency_and_the_last_completes(settings) -> None:
    settings.SIMULATED_CARRIER_LATENCY = LATENCY
    handle, sim = submit("415", "order-1", "key-1")
    after = moments(handle)
    assert all(10 <= seconds <= 100 for seconds in after.values())
    assert len(set(after.values())) == 3  # three latencies of their own
    first, second, last = sorted(after, key=after.__getitem__)

    status, states = states_at(sim, handle, after[first] - 0.5)
    assert status.state == ProvisioningState.PENDING
    assert set(states.values()) == {"pending"}

    status, states = states_at(sim, handle, after[first] + 0.01)
    assert status.state == ProvisioningState.PENDING
    assert (states[first], states[second], states[last]) == ("approved", "pending", "pending")

    status, states = states_at(sim, handle, after[second] + 0.01)
    assert (states[first], states[second], states[last]) == ("approved", "approved", "pending")
    assert status.state == ProvisioningState.PENDING

    status, states = states_at(sim, handle, after[last] + 0.01)
    assert status.state == ProvisioningState.COMPLETE
    assert set(states.values()) == {"approved"}
    since = {d.carrier: d.since for d in status.carriers}
    assert since[first] < since[second] < since[last]


def test_the_same_seed_and_number_draw_the_same_latencies(settings) -> None:
    settings.SIMULATED_CARRIER_LATENCY = LATENCY
    handle, _ = submit("415", "order-1", "key-1")
    drawn = moments(handle)
    SimulatedSubmission.objects.all().delete()
    again, _ = submit("415", "order-1", "key-1")  # the same purchase, submitted afresh
    assert moments(again) == drawn

    settings.SIMULATED_CARRIER_SEED = 7
    SimulatedSubmission.objects.all().delete()
    other_seed, _ = submit("415", "order-1", "key-1")
    assert moments(other_seed) != drawn


def test_a_fail_area_code_is_rejected_by_one_carrier_with_its_reason(settings) -> None:
    settings.SIMULATED_CARRIER_LATENCY = LATENCY
    settings.SIMULATED_CARRIER_FAIL_AREA_CODES = ["999"]
    for n in range(3):
        handle, sim = submit("999", "order-9", f"key-9-{n}")
        row = SimulatedSubmission.objects.get(ref=handle.ref)
        [rejecter] = [c for c in row.carriers if not c["approved"]]
        status, states = states_at(sim, handle, rejecter["after"] - 0.5)
        assert status.state == ProvisioningState.PENDING
        assert states[rejecter["carrier"]] == "pending"

        status, states = states_at(sim, handle, rejecter["after"] + 0.01)
        assert status.state == ProvisioningState.FAILED
        assert states[rejecter["carrier"]] == "rejected"
        assert status.reason == rejecter["reason"] != ""
        [rejected] = [d for d in status.carriers if d.state == "rejected"]
        assert rejected.reason == status.reason
        assert rejected.carrier in status.reason.lower().replace("&", "").replace("-", "")


def test_a_flaky_area_code_is_rejected_n_times_by_a_carrier_then_approved(settings) -> None:
    settings.SIMULATED_CARRIER_LATENCY = LATENCY
    settings.SIMULATED_CARRIER_FLAKY_AREA_CODES = "998:2"
    outcomes = []
    for n in range(3):
        handle, sim = submit("998", "order-8", f"key-8-{n}")
        status, states = states_at(sim, handle, 101)
        outcomes.append((status.state, sorted(states.values())))
    rejected = (ProvisioningState.FAILED, ["approved", "approved", "rejected"])
    approved = (ProvisioningState.COMPLETE, ["approved", "approved", "approved"])
    assert outcomes == [rejected, rejected, approved]


def _submitted_numbers(order, count: int) -> list[PhoneNumber]:
    numbers = []
    for _ in range(count):
        number = order("415", kind=Kind.SINGLE_USE)
        assert number_submit(phone_number_id=number.pk).outcome == "submitted"
        numbers.append(number)
    return numbers


def test_a_poll_writes_each_carriers_state_in_the_same_statements_for_2_or_8(
    order, settings
) -> None:
    settings.SIMULATED_CARRIER_LATENCY = LATENCY

    def queries_for(count: int) -> int:
        numbers = _submitted_numbers(order, count)
        # Past every carrier's latency (at most 100 s), so every number of either batch is
        # decided alike: a count that grows with the batch would show, not the draw of latencies.
        with (
            time_machine.travel(timezone.now() + timedelta(seconds=200), tick=False),
            CaptureQueriesContext(connection) as captured,
        ):
            report = provisioning_poll(batch_size=100)
        assert report.polled == count
        rows = CarrierStatus.objects.filter(phone_number__in=numbers)
        assert rows.count() == 3 * count
        assert set(rows.values_list("attempt", flat=True)) == {1}
        return len(captured)

    assert queries_for(2) == queries_for(8)


def test_the_poll_keeps_the_panel_rows_in_step_with_the_carrier(order, settings) -> None:
    settings.SIMULATED_CARRIER_LATENCY = LATENCY
    [number] = _submitted_numbers(order, 1)
    number.refresh_from_db()
    after = moments(ProvisioningHandle(number.carrier_provisioning_ref, number.e164 or ""))
    first, _, last = sorted(after, key=after.__getitem__)
    submitted = SimulatedSubmission.objects.get(ref=number.carrier_provisioning_ref).submitted_at

    def poll_at(seconds: float) -> dict[str, str]:
        PhoneNumber.objects.filter(pk=number.pk).update(next_poll_at=timezone.now())
        with time_machine.travel(submitted + timedelta(seconds=seconds), tick=False):
            provisioning_poll()
        return dict(
            CarrierStatus.objects.filter(phone_number=number).values_list("carrier", "state")
        )

    assert poll_at(after[first] + 0.01)[first] == "approved"
    assert sorted(poll_at(after[first] + 0.01).values()) == ["approved", "pending", "pending"]
    assert set(poll_at(after[last] + 0.01).values()) == {"approved"}
    number.refresh_from_db()
    assert number.provisioning_status == ProvisioningStatus.COMPLETE
    approved_at = CarrierStatus.objects.get(phone_number=number, carrier=last).since
    assert approved_at == submitted + timedelta(seconds=after[last])


def _panel_rows(number: PhoneNumber, states: dict[str, str], attempt: int = 1) -> None:
    since = timezone.now()
    for carrier, state in states.items():
        CarrierStatus.objects.create(
            phone_number=number,
            carrier=carrier,
            attempt=attempt,
            state=state,
            since=since,
            reason="Verizon rejected the number: not messaging-enabled."
            if state == "rejected"
            else "",
        )


def test_the_number_page_shows_three_rows_to_an_admin(cast) -> None:
    number = PhoneNumberFactory.create(
        organization=cast.org,
        provisioning_status=ProvisioningStatus.INITIATED,
        attempt_started_at=timezone.now(),
    )
    _panel_rows(number, {"att": "approved", "tmobile": "pending", "verizon": "rejected"})
    client = cast.client("alice")

    for name in ("phone_numbers:detail", "phone_numbers:status"):
        body = client.get(reverse(name, args=[number.pk])).content.decode()
        assert 'data-testid="carrier-panel"' in body
        assert body.count('data-state="approved"') == 1
        assert body.count('data-state="pending"') == 1
        assert body.count('data-state="rejected"') == 1
        assert '<tr data-carrier="AT&amp;T">' in body
        assert "not messaging-enabled" in body


def test_a_new_attempt_shows_every_carrier_pending_until_polled(cast) -> None:
    number = PhoneNumberFactory.create(
        organization=cast.org,
        provisioning_status=ProvisioningStatus.INITIATED,
        attempts=2,
        attempt_started_at=timezone.now(),
    )
    _panel_rows(number, {"att": "approved", "tmobile": "approved", "verizon": "rejected"})

    body = cast.client("alice").get(reverse("phone_numbers:status", args=[number.pk]))

    text = body.content.decode()
    assert text.count('data-state="pending"') == 3
    assert 'data-state="rejected"' not in text


def test_an_office_member_sees_the_panel_on_the_number_and_the_campaign(cast) -> None:
    number = PhoneNumberFactory.create(
        organization=cast.org, kind=Kind.REUSABLE, office=cast.office_a
    )
    _panel_rows(number, {"att": "approved", "tmobile": "approved", "verizon": "approved"})
    campaign = CampaignFactory.create(
        organization=cast.org, office=cast.office_a, phone_number=number
    )
    client = cast.client("bob")

    for url in (
        reverse("phone_numbers:status", args=[number.pk]),
        reverse("campaigns:number_status", args=[campaign.pk]),
        reverse("campaigns:detail", args=[campaign.pk]),
    ):
        body = client.get(url).content.decode()
        assert body.count('data-state="approved"') == 3, url


def test_twilio_reports_one_overall_state(cast, settings) -> None:
    settings.CARRIER_ADAPTER = "provisioning.carriers.twilio.TwilioCarrier"
    number = PhoneNumberFactory.create(
        organization=cast.org,
        provisioning_status=ProvisioningStatus.INITIATED,
        attempt_started_at=timezone.now(),
    )

    body = cast.client("alice").get(reverse("phone_numbers:status", args=[number.pk]))

    text = body.content.decode()
    assert "Twilio reports one overall state" in text
    assert "data-carrier=" not in text


def test_provisioning_status_prints_each_carriers_state(cast) -> None:
    number = PhoneNumberFactory.create(
        organization=cast.org,
        provisioning_status=ProvisioningStatus.INITIATED,
        attempt_started_at=timezone.now(),
        next_poll_at=timezone.now(),
    )
    _panel_rows(number, {"att": "approved", "tmobile": "pending", "verizon": "pending"})

    out = StringIO()
    call_command("provisioning_status", stdout=out)

    lines = out.getvalue().splitlines()
    at = next(i for i, line in enumerate(lines) if str(number.e164) in line)
    assert lines[at + 1] == "    carriers: AT&T approved · T-Mobile pending · Verizon pending"
