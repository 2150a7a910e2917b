"""Releases are durable: a row per number given back, swept by the poller until the carrier
confirms (``provisioning.releasing``)."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from phone_numbers.models import PhoneNumber
from provisioning.carriers.simulated_state import SimulatedNumber, SimulatedNumberState
from provisioning.models import NumberRelease
from provisioning.polling import provisioning_poll
from provisioning.releasing import RELEASE_GRACE, carrier_number_release
from provisioning.services import number_release
from provisioning.submitting import number_submit
from provisioning.tests.carriers import Script
from provisioning.tests.conftest import SCRIPTED

pytestmark = pytest.mark.django_db


def released(order) -> PhoneNumber:
    """A number bought, submitted and released — whose release task is never sent: the test's
    transaction never commits, as if the broker had lost it."""
    number = order("415")
    assert number_submit(phone_number_id=number.pk).outcome == "submitted"
    number.refresh_from_db()
    number_release(phone_number=number)
    return number


def at_carrier(number: PhoneNumber) -> str:
    return SimulatedNumber.objects.get(e164=number.e164).state


def sweep_at(when):
    with time_machine.travel(when, tick=False):
        return provisioning_poll()


def test_a_release_whose_task_was_lost_is_given_back_by_the_sweep(order) -> None:
    number = released(order)
    release = NumberRelease.objects.get(phone_number=number)
    assert release.carrier_number_id == number.carrier_number_id
    assert at_carrier(number) == SimulatedNumberState.OWNED

    assert provisioning_poll().released == 0  # the task has its grace to do it
    report = sweep_at(release.requested_at + RELEASE_GRACE + timedelta(seconds=1))

    assert report.released == 1
    assert at_carrier(number) == SimulatedNumberState.RELEASED
    release.refresh_from_db()
    assert release.released_at is not None
    assert release.next_try_at is None
    assert sweep_at(timezone.now() + timedelta(days=1)).released == 0  # done for good


def test_a_number_the_carrier_no_longer_knows_counts_as_released(order) -> None:
    number = released(order)
    carrier_number_release(carrier_number_id=number.carrier_number_id)  # the task, late
    NumberRelease.objects.filter(phone_number=number).update(released_at=None)  # unconfirmed
    NumberRelease.objects.filter(phone_number=number).update(next_try_at=timezone.now())

    report = sweep_at(timezone.now() + timedelta(seconds=1))

    assert report.released == 1
    assert NumberRelease.objects.get(phone_number=number).released_at is not None


def test_a_release_the_carrier_fails_is_tried_again_later(order, settings) -> None:
    settings.CARRIER_ADAPTER = SCRIPTED
    number = released(order)
    Script.reset(release_5xx=1)
    first = NumberRelease.objects.get().requested_at + RELEASE_GRACE

    assert sweep_at(first).released == 0

    release = NumberRelease.objects.get()
    assert (release.released_at, release.tries, release.last_error) == (None, 1, "502 Bad Gateway")
    assert release.next_try_at == first + 2 * RELEASE_GRACE
    assert at_carrier(number) == SimulatedNumberState.OWNED
    status = StringIO()
    with time_machine.travel(first + timedelta(seconds=30), tick=False):
        call_command("provisioning_status", stdout=status)
    assert status.getvalue().splitlines()[-1] == (
        f"1 released numbers not yet confirmed by the carrier (the poller keeps trying); oldest "
        f"{number.e164}, asked 1m 30s ago, 1 tries; last error: 502 Bad Gateway."
    )

    assert sweep_at(first + 2 * RELEASE_GRACE).released == 1
    assert at_carrier(number) == SimulatedNumberState.RELEASED
    after = StringIO()
    call_command("provisioning_status", stdout=after)
    assert after.getvalue() == "No numbers in flight.\n"


def test_the_number_of_a_rejected_attempt_is_kept_until_the_carrier_confirms(order) -> None:
    number = order("999")
    number_submit(phone_number_id=number.pk)
    number.refresh_from_db()
    rejected = number.carrier_number_id

    report = sweep_at(timezone.now() + timedelta(seconds=5))

    number.refresh_from_db()
    assert report.resubmitted == 1
    assert number.carrier_number_id == ""  # the row moved on to a new attempt …
    release = NumberRelease.objects.get(carrier_number_id=rejected)  # … the release did not
    assert release.phone_number == number
    assert sweep_at(release.requested_at + RELEASE_GRACE).released == 1
    assert SimulatedNumber.objects.get(carrier_number_id=rejected).state == "released"


def test_a_release_task_the_carrier_fails_leaves_it_to_the_sweep(order, settings) -> None:
    settings.CARRIER_ADAPTER = SCRIPTED
    number = released(order)
    Script.reset(release_5xx=1)
    now = timezone.now()

    with time_machine.travel(now, tick=False):
        assert carrier_number_release(carrier_number_id=number.carrier_number_id) is False

    release = NumberRelease.objects.get()
    assert (release.released_at, release.tries, release.last_error) == (None, 1, "502 Bad Gateway")
    assert release.next_try_at == now + 2 * RELEASE_GRACE
    assert sweep_at(now + RELEASE_GRACE).released == 0  # not due yet
    assert sweep_at(release.next_try_at).released == 1
    assert at_carrier(number) == SimulatedNumberState.RELEASED
    assert carrier_number_release(carrier_number_id=number.carrier_number_id) is True  # again
