"""The router: a burst of texts wakes it once per window per process, the woken task routes
every unrouted text (and those that did not wake anyone, by its last look), and a text whose
routing fails is left for the sweep without stopping the others."""

import json

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns.models import OptOut
from config.celery import app
from inboxes.models import (
    Conversation,
    ConversationStatus,
    Direction,
    InboundMessage,
    Message,
    Route,
)
from inboxes.tests.factories import BotAnswerFactory, InboxFactory
from phone_numbers.models import ResponseType
from texting import router
from texting.tasks import route_burst
from texting.tests.helpers import CONTACT, NOON_IN_NEW_YORK, all_day, deliver
from texting.tests.test_routing import campaign_contact, reusable

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

    def fails_for_ours(inbound, numbers):
        if inbound.carrier_message_id == "SIMIN-1":
            raise RuntimeError("boom")
        return real(inbound, numbers)

    monkeypatch.setattr(router, "inbound_route_claimed", fails_for_ours)

    assert router.inbound_route_pending() == router.Pass(1, done=True)

    assert InboundMessage.objects.get(carrier_message_id="SIMIN-2").route == Route.UNROUTED
    assert InboundMessage.objects.get(carrier_message_id="SIMIN-1").routed_at is None
    assert "Routing inbound message" in caplog.text


# --- batches ----------------------------------------------------------------------------------
def routed_in_one_batch() -> list[str]:
    """Routes what is pending as one batch; the statements it took (savepoints aside)."""
    with CaptureQueriesContext(connection) as queries:
        routed = router.inbound_route_pending()
    assert routed.done
    assert 0 < routed.routed <= router.BATCH_SIZE
    statements = [query["sql"] for query in queries.captured_queries]
    return [sql for sql in statements if "SAVEPOINT" not in sql]


def test_a_batch_costs_the_same_few_statements_whatever_its_size(cast, client):
    number = inbox_number(cast)
    deliver(client, to=number.e164, body="First", sender="+12125550000")
    deliver(client, to=number.e164, body="First", sender="+12125550001")
    router.inbound_route_pending()
    statements = []
    for size in (3, 40):
        # Two senders who have a conversation already, the others new ones.
        for phone in ("+12125550000", "+12125550001"):
            deliver(client, to=number.e164, body="Again", sender=phone)
        for n in range(size):
            deliver(client, to=number.e164, body="Hello?", sender=f"+1212556{size:02d}{n:02d}")
        statements.append(routed_in_one_batch())

    # Once a batch: the claim, the numbers, their campaign, behaviour and conversations with
    # the batch's senders; the new conversations, the messages, the known conversations
    # updated; the texts' routes. Then the claim that finds nothing left.
    assert len(statements[0]) == len(statements[1]) <= 11, statements[1]
    assert Conversation.objects.filter(status=ConversationStatus.NEEDS_ATTENTION).count() == 45
    assert Message.objects.filter(direction=Direction.IN).count() == 2 + 2 * 2 + 3 + 40
    for phone in ("+12125550000", "+12125550001"):
        conversation = Conversation.objects.get(contact_e164=phone)
        bodies = list(conversation.messages.values_list("body", flat=True))
        assert bodies == ["First", "Again", "Again"]


def conversation_of(text: InboundMessage) -> Conversation:
    assert text.conversation is not None
    return text.conversation


def test_a_batch_of_every_kind_of_text_routes_each_by_its_rules(cast, client):
    all_day(cast.org)
    inboxes = inbox_number(cast)
    contact = campaign_contact(cast)
    bot = reusable(cast, response_type=ResponseType.BOT)
    BotAnswerFactory.create(office=cast.office_a, phrases="parking", answer="Lot B.")
    texts = [
        ("A-1", inboxes.e164, "+12125550001", "Hello?"),
        ("C-1", contact.campaign.phone_number.e164, CONTACT, "Who is this?"),
        ("S-1", inboxes.e164, "+12125550002", "Hi"),
        ("B-1", bot.e164, "+12125550003", "Where is parking?"),
        ("S-2", inboxes.e164, "+12125550002", "STOP"),
        ("N-1", "+19995550100", "+12125550004", "Anyone?"),
        ("A-2", inboxes.e164, "+12125550001", "Still there?"),
        ("S-3", inboxes.e164, "+12125550002", "Bye"),
        ("H-1", inboxes.e164, "+12125550005", "HELP"),
    ]
    for message_id, to, sender, body in texts:
        deliver(client, to=to, body=body, sender=sender, message_id=message_id)

    assert router.inbound_route_pending() == router.Pass(len(texts), done=True)

    inbound = {i.carrier_message_id: i for i in InboundMessage.objects.all()}
    routes = {message_id: text.route for message_id, text in inbound.items()}
    assert routes == {
        "A-1": Route.INBOX,
        "A-2": Route.INBOX,
        "C-1": Route.CAMPAIGN,
        "S-1": Route.INBOX,
        "S-2": Route.OPT_OUT,
        "S-3": Route.INBOX,
        "B-1": Route.BOT,
        "N-1": Route.UNROUTED,
        "H-1": Route.HELP,
    }
    # The texts of one sender, in the order they came, in one conversation, whatever each did.
    waiting = conversation_of(inbound["A-1"])
    assert inbound["A-2"].conversation == waiting
    assert list(waiting.messages.values_list("body", flat=True)) == ["Hello?", "Still there?"]
    assert (waiting.status, waiting.inbox, waiting.organization) == (
        ConversationStatus.NEEDS_ATTENTION,
        inboxes.inboxes.get(),
        cast.org,
    )
    stopped = conversation_of(inbound["S-1"])
    assert inbound["S-2"].conversation == inbound["S-3"].conversation == stopped
    incoming = stopped.messages.filter(direction=Direction.IN)
    assert list(incoming.values_list("body", flat=True)) == ["Hi", "STOP", "Bye"]
    assert [m.body for m in stopped.messages.filter(direction=Direction.OUT)] == [
        cast.org.opt_out_message
    ]
    assert OptOut.objects.filter(organization=cast.org, phone="+12125550002").exists()
    contact.refresh_from_db()
    assert inbound["C-1"].conversation == contact.conversation
    assert contact.last_reply_at is not None
    answered = conversation_of(inbound["B-1"])
    assert answered.bot
    assert [m.body for m in answered.messages.filter(direction=Direction.OUT)] == ["Lot B."]
    helped = conversation_of(inbound["H-1"]).messages.filter(direction=Direction.OUT)
    assert [m.body for m in helped] == [cast.org.help_message]
    assert (inbound["N-1"].conversation, inbound["N-1"].organization) == (None, None)
    assert Message.objects.filter(direction=Direction.IN).count() == len(texts) - 1


def test_a_batch_routes_each_text_by_its_own_number(cast, client):
    inboxes = inbox_number(cast)
    contact = campaign_contact(cast)
    deliver(client, to=inboxes.e164, body="Hello?", message_id="SIMIN-1")
    deliver(client, to=contact.campaign.phone_number.e164, body="Who?", message_id="SIMIN-2")
    deliver(client, to="+19995550100", body="Anyone?", message_id="SIMIN-3")

    assert router.inbound_route_pending() == router.Pass(3, done=True)

    routes = dict(InboundMessage.objects.values_list("carrier_message_id", "route"))
    assert routes == {"SIMIN-1": Route.INBOX, "SIMIN-2": Route.CAMPAIGN, "SIMIN-3": Route.UNROUTED}
    contact.refresh_from_db()
    assert InboundMessage.objects.get(carrier_message_id="SIMIN-2").conversation == (
        contact.conversation
    )
    nobodys = InboundMessage.objects.get(carrier_message_id="SIMIN-3")
    assert (nobodys.organization, nobodys.conversation) == (None, None)
    assert nobodys.note == "+19995550100 is not a number of ours."
    inbox_text = InboundMessage.objects.get(carrier_message_id="SIMIN-1")
    assert inbox_text.organization == cast.org
    assert inbox_text.conversation == Conversation.objects.get(
        contact_e164=CONTACT, inbox__isnull=False
    )
    assert not InboundMessage.objects.filter(routed_at__isnull=True).exists()


def test_two_texts_of_one_contact_in_a_batch_share_a_conversation(cast, client):
    number = inbox_number(cast)
    deliver(client, to=number.e164, body="Hello?", message_id="SIMIN-1")
    deliver(client, to=number.e164, body="Anyone?", message_id="SIMIN-2")

    assert router.inbound_route_pending() == router.Pass(2, done=True)

    conversation = Conversation.objects.get()
    assert list(conversation.messages.values_list("body", flat=True)) == ["Hello?", "Anyone?"]


def test_a_text_that_fails_in_a_batch_leaves_nothing_and_the_others_are_routed_once(
    cast, client, monkeypatch, caplog
):
    number = inbox_number(cast)
    for n in range(3):
        deliver(
            client, to=number.e164, body=f"Text {n}", sender=f"+1212555{n:04d}", message_id=f"S-{n}"
        )
    real = router.inbound_route_claimed

    def fails_after_its_writes(inbound, numbers):
        routed = real(inbound, numbers)
        if inbound.carrier_message_id == "S-1":
            raise RuntimeError("boom")
        return routed

    monkeypatch.setattr(router, "inbound_route_claimed", fails_after_its_writes)

    assert router.inbound_route_pending() == router.Pass(2, done=True)

    unrouted = InboundMessage.objects.filter(routed_at__isnull=True)
    assert list(unrouted.values_list("carrier_message_id", flat=True)) == ["S-1"]
    assert sorted(Message.objects.values_list("body", flat=True)) == ["Text 0", "Text 2"]
    assert sorted(Conversation.objects.values_list("contact_e164", flat=True)) == [
        "+12125550000",
        "+12125550002",
    ]
    assert "Routing inbound message" in caplog.text


def test_a_batch_finds_each_senders_conversation_in_each_inbox(cast, client):
    number = inbox_number(cast)
    number.inboxes.add(InboxFactory.create(office=cast.office_a))
    deliver(client, to=number.e164, body="First", sender="+12125550001")
    router.inbound_route_pending()
    deliver(client, to=number.e164, body="Again", sender="+12125550001")
    deliver(client, to=number.e164, body="Hello?", sender="+12125550002")

    assert router.inbound_route_pending() == router.Pass(2, done=True)

    for phone, bodies in (("+12125550001", ["First", "Again"]), ("+12125550002", ["Hello?"])):
        conversations = Conversation.objects.filter(contact_e164=phone)
        assert len({c.inbox_id for c in conversations}) == conversations.count() == 2
        for conversation in conversations:
            assert list(conversation.messages.values_list("body", flat=True)) == bodies
