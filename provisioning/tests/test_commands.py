import re
from datetime import timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from phone_numbers.models import ProvisioningStatus
from phone_numbers.tests.factories import PhoneNumberFactory
from provisioning.submitting import number_submit

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_poll_provisioning_once_completes_what_is_due(order) -> None:
    number = order("415")
    number_submit(phone_number_id=number.pk)

    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):
        output = run("poll_provisioning", "--once")

    number.refresh_from_db()
    assert number.provisioning_status == ProvisioningStatus.COMPLETE
    assert "polled 1 numbers in 1 batches: 1 complete, 0 failed, 0 resubmitted" in output
    assert re.match(r"\d\d:\d\d:\d\d UTC polled", output)  # spans organizations: UTC, said so


def test_provisioning_status_lists_numbers_in_flight_and_flags_stuck_ones(order, settings):
    settings.SIMULATED_CARRIER_LATENCY = "900000-900000"
    order.use_case.organization.time_zone = "Asia/Tokyo"  # no daylight saving: always JST
    order.use_case.organization.save()
    fresh = order("415")
    number_submit(phone_number_id=fresh.pk)
    fresh.refresh_from_db()
    old = order("212")
    number_submit(phone_number_id=old.pk)
    PhoneNumberFactory.create(organization=order.use_case.organization)  # complete: not listed

    with time_machine.travel(timezone.now() + timedelta(hours=73), tick=False):
        output = run("provisioning_status")

    lines = output.splitlines()
    assert lines[0].split() == [
        "number",
        "kind",
        "organization",
        "status",
        "attempt",
        "requested",
        "age",
    ]
    assert fresh.e164 in output
    # When it was requested, in the organization's zone, named.
    t = fresh.created_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert f"{t:%b} {t.day}, {t.year}, {t.hour % 12 or 12}:{t:%M} {t:%p} JST" in lines[1]
    assert "1/5" in lines[1]
    assert "Acme College" in lines[1]
    assert "STUCK: past the attempt deadline" in lines[1]
    assert lines[-1] == "2 in flight, 2 stuck."


def test_provisioning_status_when_nothing_is_in_flight() -> None:
    assert run("provisioning_status") == "No numbers in flight.\n"


def test_release_number(cast) -> None:
    cast.org.time_zone = "Asia/Tokyo"
    cast.org.save()
    number = PhoneNumberFactory.create(organization=cast.org, e164="+12125550123")

    output = run("release_number", "+12125550123")

    number.refresh_from_db()
    assert number.provisioning_status == ProvisioningStatus.RELEASED
    assert output == "Released +12125550123 of Acme College (was provisioning complete).\n"
    # When, in the organization's zone, named.
    already = r"\+12125550123 was already released on \w{3} \d+, 20\d\d, \d+:\d\d [AP]M JST\.$"
    with pytest.raises(CommandError, match=already):
        run("release_number", "+12125550123")
    with pytest.raises(CommandError, match=r"No number \+12125550999 in Longcode\."):
        run("release_number", "+12125550999")
    with pytest.raises(CommandError, match=r"^twelve is not a US phone number; write it e\.g\."):
        run("release_number", "twelve")


@pytest.mark.parametrize("typed", ["(415) 206-4322", "415-206-4322", "+1 415 206 4322"])
def test_release_number_takes_a_number_as_people_write_it(cast, typed) -> None:
    number = PhoneNumberFactory.create(organization=cast.org, e164="+14152064322")

    output = run("release_number", typed)

    number.refresh_from_db()
    assert number.provisioning_status == ProvisioningStatus.RELEASED
    assert output.startswith("Released +14152064322 of Acme College")
