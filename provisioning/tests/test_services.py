"""Ordering (the 49 limit, race-free), searching and releasing numbers."""

import threading

import pytest
from django.db import connection

from phone_numbers.models import AttemptOutcome, Kind, PhoneNumber, ProvisioningStatus
from phone_numbers.services import OfficeQuotaFull
from phone_numbers.tests.factories import PhoneNumberFactory
from provisioning.carriers.simulated_state import SimulatedNumber, SimulatedNumberState
from provisioning.releasing import carrier_number_release
from provisioning.services import (
    ProvisioningError,
    UseCaseFull,
    available_numbers,
    number_release,
)
from provisioning.submitting import number_submit


def fill(use_case, count: int, status: str = ProvisioningStatus.COMPLETE) -> None:
    for _ in range(count):
        PhoneNumberFactory.create(
            organization=use_case.organization, use_case=use_case, provisioning_status=status
        )


@pytest.mark.django_db
def test_an_order_starts_requested_and_buys_nothing_yet(order, cast) -> None:
    number = order("415", "212")

    assert number.provisioning_status == ProvisioningStatus.REQUESTED
    assert (number.area_codes, number.requested_by, number.e164) == (
        ["415", "212"],
        cast.alice,
        None,
    )
    assert not SimulatedNumber.objects.filter(state=SimulatedNumberState.OWNED).exists()


@pytest.mark.django_db
def test_the_49th_number_is_the_last_on_a_use_case(order) -> None:
    fill(order.use_case, 48)
    fill(order.use_case, 3, ProvisioningStatus.RELEASED)
    fill(order.use_case, 2, ProvisioningStatus.FAILED)
    order("415")

    with pytest.raises(UseCaseFull) as refused:
        order("415")

    assert str(refused.value) == (
        "The use case “Student outreach” already has 49 numbers; the carriers allow at most 49 "
        "on one use case. Archive unused single-use campaigns to free numbers, then try again."
    )
    assert PhoneNumber.objects.filter(provisioning_status="requested").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_orders_at_48_cannot_both_pass(order) -> None:
    fill(order.use_case, 48)
    barrier = threading.Barrier(2, timeout=10)
    outcomes: list[str] = []

    def place() -> None:
        try:
            barrier.wait()
            order("415")
            outcomes.append("ordered")
        except UseCaseFull:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=place) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ordered", "refused"]
    assert PhoneNumber.objects.filter(use_case=order.use_case).count() == 49


@pytest.mark.django_db
def test_a_reusable_number_counts_against_its_office_quota(order, cast) -> None:
    cast.office_a.number_quota = 1
    cast.office_a.save()
    order("415", kind=Kind.REUSABLE, office=cast.office_a, name="Front desk")

    with pytest.raises(OfficeQuotaFull, match="Admissions holds 1 of its 1 reusable numbers"):
        order("415", kind=Kind.REUSABLE, office=cast.office_a, name="Second")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("area_codes", "message"),
    [([], "at least one area code"), (["21"], "enter 3 digits"), (["2125"], "enter 3 digits")],
)
def test_bad_area_codes_are_refused(order, area_codes, message) -> None:
    with pytest.raises(ProvisioningError, match=message):
        order(*area_codes)
    assert not PhoneNumber.objects.exists()


@pytest.mark.django_db
def test_available_numbers_explains_bad_input_and_is_empty_for_an_empty_code() -> None:
    assert len(available_numbers(area_code="212")) == 10
    assert available_numbers(area_code="000") == []
    with pytest.raises(ProvisioningError, match="“12a” is not an area code"):
        available_numbers(area_code="12a")


@pytest.mark.django_db
def test_available_numbers_says_when_the_carrier_is_down(settings) -> None:
    settings.SIMULATED_CARRIER_ERROR_RATE = 1.0

    with pytest.raises(ProvisioningError, match="carrier is not answering"):
        available_numbers(area_code="212")


@pytest.mark.django_db
def test_release_is_immediate_idempotent_and_gives_the_number_back(order) -> None:
    number = order("415")
    number_submit(phone_number_id=number.pk)
    number.refresh_from_db()

    released = number_release(phone_number=number)
    again = number_release(phone_number=number)
    carrier_number_release(carrier_number_id=number.carrier_number_id)
    carrier_number_release(carrier_number_id=number.carrier_number_id)

    assert released.provisioning_status == again.provisioning_status == "released"
    assert again.released_at == released.released_at
    assert number.provisioning_attempts.get().outcome == AttemptOutcome.RELEASED
    assert SimulatedNumber.objects.get(e164=number.e164).state == SimulatedNumberState.RELEASED
    assert number_submit(phone_number_id=number.pk).outcome == "nothing_to_do"


@pytest.mark.django_db
def test_when_every_area_code_is_empty_the_order_waits_then_fails(order, finished) -> None:
    number = order("000")

    waiting = number_submit(phone_number_id=number.pk, retries=0)
    number.refresh_from_db()
    assert (waiting.outcome, waiting.retry_in) == ("retry", 1.0)
    assert number.provisioning_status == ProvisioningStatus.REQUESTED
    assert number.attempts == 0

    gave_up = number_submit(phone_number_id=number.pk, retries=5)

    number.refresh_from_db()
    assert gave_up.outcome == "failed"
    assert number.provisioning_status == ProvisioningStatus.FAILED
    assert number.failure_reason == "No numbers available in area codes 000."
    assert finished == [(number.pk, ProvisioningStatus.FAILED, True)]
