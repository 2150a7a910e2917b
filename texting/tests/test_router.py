"""The router: a burst of texts wakes it once per window per process, the woken task routes
every unrouted text (and those that did not wake anyone, by its last look), and a text whose
routing fails is left for the sweep without stopping the others."""

import json

import pytest
import redis
from django.conf import settings

from config.celery import app
from inboxes.models import InboundMessage, Route
from inboxes.tests.factories import InboxFactory
from texting import router
from texting.tasks import route_burst
from texting.tests.helpers import NOON_IN_NEW_YORK, deliver
from texting.tests.test_routing import reusable

pytestmark = pytest.mark.django_db


def wakes_queued() -> int:
    """The routing tasks waiting on the broker."""
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    messages = [json.loads(raw) for raw in broker.lrange("celery", 0, -1)]
    return sum(m["headers"]["task"] == "texting.tasks.route_burst" for m in messages)


@pytest.fixture
def fresh_router(monkeypatch):
    """This process has not woken the router yet (an earlier test may have)."""
    monkeypatch.setattr(router, "_last_wake", None)
    app.control.purge()
    yield
    app.control.purge()


def inbox_number(cast):
    number = reusable(cast)
    number.inboxes.set([InboxFactory.create(office=cast.office_a)])
    return number


@pytest.mark.usefixtures("fresh_router")
def test_a_burst_wakes_the_router_once_per_window(
    cast, client, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOON_IN_NEW_YORK, tick=False)
    number = inbox_number(cast)

    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            deliver(client, to=number.e164, body="Hello?", message_id=f"SIMIN-{n}")
    assert wakes_queued() == 1

    time_machine.shift(router.WAKE_EVERY)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, to=number.e164, body="Hello?", message_id="SIMIN-0")  # again: no wake
    assert wakes_queued() == 1
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, to=number.e164, body="Hello?", message_id="SIMIN-3")
    assert wakes_queued() == 2
    assert InboundMessage.objects.count() == 4


def last_looks_queued() -> list[str]:
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    messages = [json.loads(raw) for raw in broker.lrange("celery", 0, -1)]
    return [m["headers"]["eta"] for m in messages if m["headers"].get("eta")]


@pytest.mark.usefixtures("fresh_router")
def test_a_text_that_woke_no_one_is_routed_by_the_last_look(
    cast, client, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOON_IN_NEW_YORK, tick=False)
    number = inbox_number(cast)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, to=number.e164, body="First", message_id="SIMIN-1")
    woken_at = NOON_IN_NEW_YORK.isoformat()

    assert route_burst(woken_at) == 1  # the worker, woken
    assert last_looks_queued() == [router.last_look_at(NOON_IN_NEW_YORK).isoformat()]

    time_machine.shift(router.WAKE_EVERY / 2)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, to=number.e164, body="Second", message_id="SIMIN-2")
    assert wakes_queued() == 2  # the wake and its last look; the second text woke no one

    time_machine.move_to(router.last_look_at(NOON_IN_NEW_YORK), tick=False)
    assert route_burst(woken_at) == 1  # the last look, at its ETA
    assert not InboundMessage.objects.filter(routed_at__isnull=True).exists()
    assert wakes_queued() == 2  # and no look after the last


@pytest.mark.usefixtures("fresh_router")
def test_a_long_burst_is_routed_a_pass_at_a_time(cast, client, time_machine, monkeypatch):
    time_machine.move_to(NOON_IN_NEW_YORK, tick=False)
    monkeypatch.setattr(router, "PASS_SIZE", 2)
    number = inbox_number(cast)
    for n in range(3):
        deliver(client, to=number.e164, body="Hello?", message_id=f"SIMIN-{n}")

    assert route_burst(NOON_IN_NEW_YORK.isoformat()) == 2
    assert (wakes_queued(), last_looks_queued()) == (1, [])  # the rest, in a fresh task, now
    assert route_burst(NOON_IN_NEW_YORK.isoformat()) == 1
    assert len(last_looks_queued()) == 1
    assert not InboundMessage.objects.filter(routed_at__isnull=True).exists()


def test_a_text_whose_routing_fails_is_left_for_the_sweep_and_the_others_routed(
    cast, client, monkeypatch, caplog
):
    number = inbox_number(cast)
    deliver(client, to=number.e164, body="Hello?", message_id="SIMIN-1")
    deliver(client, to="+19995550100", body="Anyone?", message_id="SIMIN-2")
    real = router.inbound_route_claimed

    def fails_for_ours(inbound):
        if inbound.carrier_message_id == "SIMIN-1":
            raise RuntimeError("boom")
        return real(inbound)

    monkeypatch.setattr(router, "inbound_route_claimed", fails_for_ours)

    assert router.inbound_route_pending() == router.Pass(1, done=True)

    assert InboundMessage.objects.get(carrier_message_id="SIMIN-2").route == Route.UNROUTED
    assert InboundMessage.objects.get(carrier_message_id="SIMIN-1").routed_at is None
    assert "Routing inbound message" in caplog.text
