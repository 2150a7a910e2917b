"""Reads for operators (across organizations) and for the number pages."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet

from phone_numbers.models import IN_FLIGHT, PhoneNumber, ProvisioningStatus
from provisioning.models import NumberRelease


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
