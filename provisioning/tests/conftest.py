from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from phone_numbers.models import Kind, PhoneNumber
from phone_numbers.tests.factories import UseCaseFactory
from provisioning.hooks import number_provisioning_finished
from provisioning.services import number_order
from provisioning.tests.carriers import Script

SCRIPTED = "provisioning.tests.carriers.ScriptedCarrier"


@pytest.fixture(autouse=True)
def fast_carrier(settings) -> None:
    settings.SIMULATED_CARRIER_LATENCY = "0-0"
    settings.SIMULATED_CARRIER_ERROR_RATE = 0
    settings.PROVISIONING_POLL_SECONDS = 1
    Script.reset()


@pytest.fixture
def finished() -> Iterator[list[tuple[int, str, bool]]]:
    """What the hook said: (number id, status, sent inside a transaction)."""
    seen: list[tuple[int, str, bool]] = []

    def receiver(sender: object, numbers: list[PhoneNumber], **kwargs: object) -> None:
        seen.extend((n.pk, n.provisioning_status, connection.in_atomic_block) for n in numbers)

    number_provisioning_finished.connect(receiver, weak=False, dispatch_uid="test-finished")
    yield seen
    number_provisioning_finished.disconnect(dispatch_uid="test-finished")


@pytest.fixture
def order(cast):
    use_case = UseCaseFactory.create(organization=cast.org, name="Student outreach")

    def order(*area_codes: str, kind: str = Kind.DEDICATED, **kwargs: Any) -> PhoneNumber:
        return number_order(
            organization=cast.org,
            kind=kind,
            use_case=use_case,
            area_codes=list(area_codes),
            requested_by=cast.alice,
            **kwargs,
        )

    order.use_case = use_case  # type: ignore[attr-defined]
    return order
