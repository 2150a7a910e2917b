"""Reads for operators (across organizations) and for the number pages."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet

from phone_numbers.models import IN_FLIGHT, PhoneNumber, ProvisioningStatus
from provisioning.carriers import carrier_reports_each_carrier
from provisioning.carriers.base import CARRIERS, CarrierState
from provisioning.models import CarrierStatus, NumberRelease


@dataclass(frozen=True)
class CarrierRow:
    carrier: str  # as people name it: "AT&T"
    state: str  # a ``CarrierState``, or "unknown" when no carrier said anything yet
    since: datetime | None
    reason: str = ""


@dataclass(frozen=True)
class CarrierPanel:
    """Where AT&T, T-Mobile and Verizon stand on a number's current attempt. ``rows`` is empty
    when the provider reports one overall state (``provider`` names it)."""

    provider: str
    rows: list[CarrierRow]

    @property
    def text(self) -> str:
        """One line: "AT&T approved · T-Mobile pending · Verizon pending"."""
        if not self.rows:
            return f"{self.provider.capitalize()} reports one overall state"
        return " · ".join(f"{row.carrier} {row.state}" for row in self.rows)


def carrier_panels(*, numbers: list[PhoneNumber]) -> dict[int, CarrierPanel]:
    """The carrier panel of each number that has been submitted and not released (one query
    for all of them); numbers without a panel are left out."""
    shown = [
        n
        for n in numbers
        if n.attempts > 0 and n.provisioning_status != ProvisioningStatus.RELEASED
    ]
    if not shown:
        return {}
    provider, per_carrier = carrier_reports_each_carrier()
    if not per_carrier:
        return {n.pk: CarrierPanel(provider, []) for n in shown}
    said: dict[tuple[int, str], CarrierStatus] = {
        (row.phone_number_id, row.carrier): row
        for row in CarrierStatus.objects.filter(phone_number__in=[n.pk for n in shown])
    }
    return {n.pk: CarrierPanel(provider, _carrier_rows(n, said)) for n in shown}


def number_carrier_panel(*, number: PhoneNumber | None) -> CarrierPanel | None:
    if number is None:
        return None
    return carrier_panels(numbers=[number]).get(number.pk)


def _carrier_rows(
    number: PhoneNumber, said: dict[tuple[int, str], CarrierStatus]
) -> list[CarrierRow]:
    rows = []
    for key, name in CARRIERS.items():
        status = said.get((number.pk, key))
        if status is not None and status.attempt == number.attempts:
            rows.append(CarrierRow(name, status.state, status.since, status.reason))
        elif number.provisioning_status == ProvisioningStatus.INITIATED:
            # Submitted, not yet polled: every carrier is deciding.
            rows.append(CarrierRow(name, CarrierState.PENDING, number.attempt_started_at))
        else:
            rows.append(CarrierRow(name, "unknown", None))
    return rows


@dataclass(frozen=True)
class InFlight:
    number: PhoneNumber
    age: timedelta
    stuck: str  # why it looks stuck, or ""


def numbers_in_flight(*, now: datetime) -> list[InFlight]:
    """Every number still being provisioned, oldest first, with the stuck ones explained.

    For operators: it spans organizations on purpose."""
    numbers = (
        PhoneNumber.objects.filter(provisioning_status__in=IN_FLIGHT)
        .select_related("organization")
        .order_by("created_at", "id")
    )
    return [InFlight(n, now - n.created_at, _stuck(n, now)) for n in numbers]


def _stuck(number: PhoneNumber, now: datetime) -> str:
    deadline = settings.PROVISIONING_ATTEMPT_DEADLINE
    started = number.attempt_started_at
    initiated = number.provisioning_status == ProvisioningStatus.INITIATED
    if initiated and started and now - started > deadline:
        return "past the attempt deadline"
    overdue = max(timedelta(minutes=1), 3 * timedelta(seconds=settings.PROVISIONING_POLL_SECONDS))
    if number.next_poll_at and now - number.next_poll_at > overdue:
        minutes = int((now - number.next_poll_at).total_seconds() // 60)
        return f"not polled for {minutes} min: is the poller (beat) running?"
    return ""


def releases_unconfirmed() -> QuerySet[NumberRelease]:
    """Numbers being given back that the carrier has not confirmed yet, oldest first.

    For operators: it spans organizations on purpose."""
    return NumberRelease.objects.filter(released_at__isnull=True).order_by("requested_at", "id")
