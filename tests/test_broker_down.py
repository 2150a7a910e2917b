"""Nothing a person sees depends on the broker being up when their change commits: the
committed rows are the truth, and the beat sweeps send what could not be sent."""

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from campaigns.models import CampaignStatus
from campaigns.tests.factories import CampaignFactory, ContactFactory
from config.celery import app
from phone_numbers.models import ProvisioningStatus
from provisioning.polling import provisioning_poll
from provisioning.transitions import LEASE
from tests.waiting import wait_for

pytestmark = pytest.mark.usefixtures("celery_worker")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens there once the socket is closed


def _reconnect() -> None:
    """Makes the app publish through a pool for its current ``broker_url``."""
    app._pool = None  # type: ignore[attr-defined]
    app.amqp._producer_pool = None  # type: ignore[attr-defined]


@contextmanager
def broker_down() -> Iterator[None]:
    """Publishing refused (nothing listens on the broker's port); the worker keeps its own
    connection for reading."""
    url = app.conf.broker_write_url
    app.conf["CELERY_BROKER_WRITE_URL"] = f"redis://127.0.0.1:{_closed_port()}/0"
    _reconnect()
    try:
        yield
    finally:
        app.conf["CELERY_BROKER_WRITE_URL"] = url
        _reconnect()


def test_a_launch_saved_while_the_broker_is_down_answers_and_is_submitted_later(
    cast, settings, caplog
) -> None:
    settings.SIMULATED_CARRIER_LATENCY = "0-0"
    campaign = CampaignFactory.create(
        organization=cast.org, office=cast.office_a, single_use=True, area_codes=["415"]
    )
    ContactFactory.create_batch(2, campaign=campaign)

    with broker_down():
        response = cast.client("alice").post(reverse("campaigns:launch", args=[campaign.pk]))

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.LAUNCHING
    number = campaign.phone_number
    assert number is not None
    assert number.provisioning_status == ProvisioningStatus.REQUESTED
    assert "Could not enqueue provisioning.tasks.submit_number" in caplog.text
    assert "Could not enqueue notifications.tasks.deliver_email" in caplog.text  # ran as well

    with time_machine.travel(timezone.now() + LEASE + timedelta(seconds=1), tick=False):
        provisioning_poll()  # what beat runs: the sweep resends the lost submit

    def submitted() -> bool:
        number.refresh_from_db()
        return number.provisioning_status == ProvisioningStatus.INITIATED

    wait_for(submitted, timeout=30, what="the number submitted by the worker")
    assert number.attempts == 1
