"""Transient carrier faults, injected by the simulated carrier at 30 %, through the real parts."""

import contextlib
import uuid

import pytest
from django.db import transaction

from phone_numbers.models import AttemptOutcome, PhoneNumber, ProvisioningStatus
from provisioning.carriers.base import TransientProviderError
from provisioning.carriers.simulated import SimulatedCarrier
from provisioning.carriers.simulated_state import (
    SimulatedCall,
    SimulatedNumber,
    SimulatedNumberState,
)
from provisioning.models import NumberRelease
from tests.waiting import wait_for


class RolledBack(Exception):
    pass


@pytest.mark.django_db
def test_the_simulators_count_of_calls_survives_the_callers_rollback(settings) -> None:
    settings.SIMULATED_CARRIER_ERROR_RATE = 0.5
    carrier = SimulatedCarrier()
    number_id = f"SIMPN-{uuid.uuid4().hex}"

    def call_then_roll_back() -> None:
        with transaction.atomic():
            with contextlib.suppress(TransientProviderError):
                carrier.release_number(carrier_number_id=number_id)
            raise RolledBack

    for _ in range(3):
        with pytest.raises(RolledBack):
            call_then_roll_back()

    assert SimulatedCall.objects.get(key=f"release:{number_id}").calls == 3


AREA_CODES = ("415", "212", "312", "646", "718", "917", "510", "617")


@pytest.mark.usefixtures("celery_worker", "beat")
def test_at_30_percent_transient_errors_every_number_completes_on_its_first_attempt(
    order, settings
) -> None:
    settings.SIMULATED_CARRIER_ERROR_RATE = 0.3
    settings.SIMULATED_CARRIER_SEED = 7
    numbers = [order(code) for code in AREA_CODES]

    def all_complete() -> bool:
        statuses = PhoneNumber.objects.values_list("provisioning_status", flat=True)
        return set(statuses) == {ProvisioningStatus.COMPLETE}

    wait_for(all_complete, timeout=240, what="every number complete")

    for number in numbers:
        number.refresh_from_db()
        assert number.attempts == 1
        assert [a.outcome for a in number.provisioning_attempts.all()] == [AttemptOutcome.APPROVED]
    owned = SimulatedNumber.objects.filter(state=SimulatedNumberState.OWNED)
    assert sorted(owned.values_list("e164", flat=True)) == sorted(n.e164 for n in numbers)
    assert not SimulatedNumber.objects.filter(state=SimulatedNumberState.RELEASED).exists()
    assert not NumberRelease.objects.exists()
    assert SimulatedCall.objects.filter(calls__gt=1).exists()  # faults were injected, retried
