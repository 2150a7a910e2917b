"""Inbound messages: the webhook (signature, replay, duplicates, unknown numbers), every routing
branch in order, the keywords, and the bot's IDK behaviours."""

import logging
import time
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command

from campaigns.messenger import Counted, messenger_next_contact, messenger_replies
from campaigns.models import CampaignIdk, OptOut, OptOutSource
from campaigns.sending import SendRefused, initial_message_send, reply_send
from campaigns.tests.factories import (
    CampaignFactory,
    CampaignSenderFactory,
    ContactFactory,
    PhoneNumberFactory,
)
from inboxes.models import (
    Conversation,
    ConversationStatus,
    Direction,
    IdkReview,
    InboundMessage,
    Message,
    Origin,
    Route,
)
from inboxes.tests.factories import BotAnswerFactory, InboxFactory
from offices.models import IdkBehaviour
from phone_numbers.models import ResponseType
from tests.waiting import wait_for
from texting.outgoing import conversation_send
from texting.routing import inbound_route
from texting.tests.helpers import CONTACT, NOON_IN_NEW_YORK, all_day, deliver

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _noon_in_new_york(request, time_machine):
    """Inside texting hours; the worker test keeps the real clock its broker needs."""
    if "celery_worker" not in request.fixturenames:
        time_machine.move_to(NOON_IN_NEW_YORK, tick=False)


def routed(client, **kwargs):
    """Delivers through the webhook, then routes as the worker would."""
    response = deliver(client, **kwargs)
    assert response.status_code == 200, response.content
    inbound = InboundMessage.objects.order_by("-id").first()
    assert inbound is not None
    return inbound_route(inbound_id=inbound.pk)


def reusable(cast, **kwargs):
    return PhoneNumberFactory.create(
        organization=cast.org, reusable=True, office=cast.office_a, **kwargs
    )


def replies(conversation: Conversation) -> list[Message]:
    return list(conversation.messages.filter(direction=Direction.OUT))


def campaign_contact(cast, **kwargs):
    campaign = CampaignFactory.create(
        organization=cast.org, office=cast.office_a, active=True, **kwargs
    )
    CampaignSenderFactory.create(campaign=campaign, user=cast.sam)
    return ContactFactory.create(campaign=campaign, phone=CONTACT, assignee=cast.sam)


# --- the webhook ------------------------------------------------------------------------------
def test_a_message_delivered_twice_is_recorded_and_routed_once(cast, client):
    number = reusable(cast)
    inbox = InboxFactory.create(office=cast.office_a)
    number.inboxes.set([inbox])

    for _ in range(2):
        response = deliver(client, to=number.e164, body="Hello?", message_id="SIMIN-1")
        assert response.status_code == 200
    inbound = InboundMessage.objects.get()
    inbound_route(inbound_id=inbound.pk)
    inbound_route(inbound_id=inbound.pk)

    assert inbound.carrier_message_id == "SIMIN-1"
    conversation = Conversation.objects.get()
    assert list(conversation.messages.values_list("body", flat=True)) == ["Hello?"]


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param({"HTTP_X_SIMULATED_SIGNATURE": "0" * 64}, id="bad-signature"),
        pytest.param({"at": time.time() - 301}, id="replay"),
    ],
)
def test_a_bad_signature_or_a_replay_is_refused_with_403_and_logged(cast, client, caplog, tamper):
    number = reusable(cast)
    at = tamper.pop("at", None)
    from texting.tests.helpers import signed

    payload = {"id": "SIMIN-2", "to": number.e164, "from": CONTACT, "body": "STOP"}
    raw, headers = signed(payload, at=at if at is not None else NOON_IN_NEW_YORK.timestamp())
    with caplog.at_level(logging.WARNING, logger="texting.webhooks"):
        response = client.post(
            "/hooks/simulated/inbound/",
            data=raw,
            content_type="application/json",
            **{**headers, **tamper},
        )

    assert response.status_code == 403
    assert "Inbound webhook refused" in caplog.text
    assert not InboundMessage.objects.exists()
    assert not OptOut.objects.exists()


def test_another_carrier_name_answers_404(client):
    assert client.post("/hooks/twilio/inbound/", data=b"{}", content_type="x").status_code == 404


def test_a_message_to_a_number_of_nobody_is_kept_unrouted_and_logged(cast, client, caplog):
    with caplog.at_level(logging.WARNING, logger="texting.routing"):
        inbound = routed(client, to="+19995550100", body="Anyone there?")

    assert inbound.route == Route.UNROUTED
    assert inbound.organization is None
    assert inbound.body == "Anyone there?"
    assert "+19995550100 is not a number of ours" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_worker_routes_what_the_webhook_received(cast, client, celery_worker):
    number = reusable(cast)
    inbox = InboxFactory.create(office=cast.office_a)
    number.inboxes.set([inbox])

    deliver(client, to=number.e164, body="Can someone call me?")

    wait_for(lambda: InboundMessage.objects.filter(route=Route.INBOX).exists(), what="routing")
    conversation = Conversation.objects.get(inbox=inbox)
    assert conversation.status == ConversationStatus.NEEDS_ATTENTION


# --- keywords ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body", ["STOP", " stop. ", "Stop All", "unsubscribe!", "CANCEL", "end", "Quit", "STOPALL"]
)
def test_stop_variants_opt_out_confirm_once_and_refuse_the_next_send(cast, client, body):
    contact = campaign_contact(cast)
    initial_message_send(contact=contact, sender=cast.sam)

    inbound = routed(client, to=contact.campaign.phone_number.e164, body=body)
    routed(client, to=contact.campaign.phone_number.e164, body=body)

    assert inbound.route == Route.OPT_OUT
    opt_out = OptOut.objects.get(organization=cast.org, phone=CONTACT)
    assert opt_out.source == OptOutSource.KEYWORD
    confirmations = Message.objects.filter(body=cast.org.opt_out_message)
    assert confirmations.count() == 1
    contact.refresh_from_db()
    with pytest.raises(SendRefused, match="opted out"):
        reply_send(contact=contact, sender=cast.sam, body="Still there?", idempotency_key="k1")


def test_a_sentence_with_stop_in_it_is_not_a_keyword(cast, client):
    contact = campaign_contact(cast)

    inbound = routed(client, to=contact.campaign.phone_number.e164, body="I'll stop by Monday")

    assert inbound.route == Route.CAMPAIGN
    assert not OptOut.objects.exists()


def test_stop_to_an_inbox_number_opts_out_across_the_organization(cast, client):
    number = reusable(cast)
    number.inboxes.set([InboxFactory.create(office=cast.office_a)])
    contact = campaign_contact(cast)  # the same person, in a campaign on another number

    inbound = routed(client, to=number.e164, body="STOP")

    assert inbound.route == Route.OPT_OUT
    assert [m.body for m in replies(inbound.conversation)] == [cast.org.opt_out_message]
    with pytest.raises(SendRefused, match="opted out"):
        initial_message_send(contact=contact, sender=cast.sam)


def test_start_opts_back_in(cast, client):
    contact = campaign_contact(cast)
    to = contact.campaign.phone_number.e164
    routed(client, to=to, body="STOP")

    inbound = routed(client, to=to, body="start")

    assert inbound.route == Route.OPT_IN
    assert not OptOut.objects.exists()
    contact.refresh_from_db()
    reply = reply_send(contact=contact, sender=cast.sam, body="Welcome back", idempotency_key="k2")
    assert reply.body == "Welcome back"


def test_help_answers_with_the_organizations_help_text(cast, client):
    cast.org.help_message = "Acme College texting. Reply STOP to opt out."
    cast.org.save()
    number = reusable(cast)

    inbound = routed(client, to=number.e164, body="Help?")

    assert inbound.route == Route.HELP
    [reply] = replies(inbound.conversation)
    assert (reply.body, reply.origin) == ("Acme College texting. Reply STOP to opt out.", "auto")


# --- campaigns --------------------------------------------------------------------------------
def test_a_reply_to_a_campaign_joins_the_contacts_conversation(cast, client):
    contact = campaign_contact(cast)
    initial_message_send(contact=contact, sender=cast.sam)

    inbound = routed(client, to=contact.campaign.phone_number.e164, body="Who is this?")

    contact.refresh_from_db()
    assert inbound.route == Route.CAMPAIGN
    assert inbound.conversation == contact.conversation
    assert contact.last_reply_at == NOON_IN_NEW_YORK
    assert [m.direction for m in contact.conversation.messages.all()] == ["out", "in"]
    assert contact.conversation.status == ConversationStatus.NEEDS_ATTENTION


def test_a_routed_campaign_reply_waits_in_the_senders_replies_until_answered(
    cast, client, time_machine
):
    """The seam between the two halves: what routing writes is what the messenger reads."""
    contact = campaign_contact(cast)
    initial_message_send(contact=contact, sender=cast.sam)
    time_machine.move_to(NOON_IN_NEW_YORK + timedelta(minutes=5), tick=False)

    routed(client, to=contact.campaign.phone_number.e164, body="Who is this?")

    assert list(messenger_replies(campaign=contact.campaign, user=cast.sam)) == [contact]
    assert messenger_next_contact(campaign=contact.campaign, user=cast.sam).replies == Counted(1)
    time_machine.move_to(NOON_IN_NEW_YORK + timedelta(minutes=6), tick=False)
    contact.refresh_from_db()
    reply_send(
        contact=contact, sender=cast.sam, body="Acme College admissions", idempotency_key="a"
    )
    assert not messenger_replies(campaign=contact.campaign, user=cast.sam).exists()
    assert messenger_next_contact(campaign=contact.campaign, user=cast.sam).replies == Counted(0)


def test_the_bot_answers_a_campaign_reply_it_knows(cast, client):
    all_day(cast.org)
    BotAnswerFactory.create(office=cast.office_a)
    contact = campaign_contact(cast)

    inbound = routed(client, to=contact.campaign.phone_number.e164, body="When is the deadline?")

    [reply] = replies(inbound.conversation)
    assert (reply.body, reply.origin) == ("The FAFSA deadline is June 30.", Origin.BOT)
    assert "matched “deadline”" in inbound.note


def test_campaign_idk_agent_hands_the_reply_to_the_sender(cast, client):
    contact = campaign_contact(cast, idk=CampaignIdk.AGENT)

    inbound = routed(client, to=contact.campaign.phone_number.e164, body="What about parking?")

    assert replies(inbound.conversation) == []
    assert inbound.conversation.status == ConversationStatus.NEEDS_ATTENTION
    assert "Needs Attention for the sender" in inbound.note


def test_campaign_idk_default_follows_the_office(cast, client):
    all_day(cast.org)
    contact = campaign_contact(cast, idk=CampaignIdk.DEFAULT)

    inbound = routed(client, to=contact.campaign.phone_number.e164, body="What about parking?")

    assert [m.body for m in replies(inbound.conversation)] == [cast.office_a.idk_message]


def test_someone_who_is_not_a_contact_of_the_active_campaign_is_kept_for_admins(cast, client):
    contact = campaign_contact(cast)

    inbound = routed(
        client, to=contact.campaign.phone_number.e164, sender="+13125550100", body="Hi"
    )

    assert inbound.route == Route.NUMBER
    assert "is not a contact of" in inbound.note
    assert inbound.conversation.inbox is None


# --- reusable numbers -------------------------------------------------------------------------
def test_an_agent_backed_number_opens_a_conversation_in_each_of_its_inboxes(cast, client):
    number = reusable(cast)
    first, second = InboxFactory.create_batch(2, office=cast.office_a)
    number.inboxes.set([first, second])

    inbound = routed(client, to=number.e164, body="Hello")

    assert inbound.route == Route.INBOX
    conversations = Conversation.objects.filter(inbox__in=[first, second])
    assert {c.inbox for c in conversations} == {first, second}
    assert {c.status for c in conversations} == {ConversationStatus.NEEDS_ATTENTION}
    assert all(c.messages.get().body == "Hello" for c in conversations)


def test_a_closed_inbox_conversation_comes_back_to_needs_attention(cast, client):
    number = reusable(cast)
    inbox = InboxFactory.create(office=cast.office_a)
    number.inboxes.set([inbox])
    first = routed(client, to=number.e164, body="Hello")
    Conversation.objects.filter(pk=first.conversation_id).update(status="closed")

    second = routed(client, to=number.e164, body="Me again")

    assert second.conversation_id == first.conversation_id
    second.conversation.refresh_from_db()
    assert second.conversation.status == ConversationStatus.NEEDS_ATTENTION


def test_an_agent_backed_number_without_inbox_stores_the_message_as_undelivered(cast, client):
    number = reusable(cast)

    inbound = routed(client, to=number.e164, body="Hello")

    assert inbound.route == Route.UNDELIVERED
    assert inbound.conversation.inbox is None
    assert inbound.conversation.messages.get().body == "Hello"


def test_a_reusable_number_in_an_active_campaign_follows_the_campaign(cast, client):
    number = reusable(cast)
    number.inboxes.set([InboxFactory.create(office=cast.office_a)])
    contact = campaign_contact(cast, phone_number=number, number_choice="reusable")

    inbound = routed(client, to=number.e164, body="Hi back")

    assert inbound.route == Route.CAMPAIGN
    assert inbound.conversation == Conversation.objects.get(contact=contact)


def test_the_bot_backed_number_answers_the_best_match(cast, client):
    all_day(cast.org)
    number = reusable(cast, response_type=ResponseType.BOT)
    BotAnswerFactory.create(office=cast.office_a, phrases="aid", answer="General aid answer.")
    BotAnswerFactory.create(office=cast.office_a, phrases="financial aid", answer="FA office.")

    inbound = routed(client, to=number.e164, body="Where is the FINANCIAL-AID office?")

    assert inbound.route == Route.BOT
    assert [m.body for m in replies(inbound.conversation)] == ["FA office."]


@pytest.mark.parametrize(
    ("idk_default", "idk_replies"),
    [
        (IdkBehaviour.REPLY, True),
        (IdkBehaviour.SILENT, False),
        # A bot-backed number never hands over: the office's "agent" becomes a reply.
        (IdkBehaviour.AGENT, True),
    ],
)
def test_the_bot_backed_number_follows_its_offices_idk_default(
    cast, client, idk_default, idk_replies
):
    all_day(cast.org)
    cast.office_a.idk_default = idk_default
    cast.office_a.save()
    number = reusable(cast, response_type=ResponseType.BOT)

    inbound = routed(client, to=number.e164, body="Parking?")

    bodies = [m.body for m in replies(inbound.conversation)]
    assert bodies == ([cast.office_a.idk_message] if idk_replies else [])
    assert inbound.conversation.inbox is None


def test_an_idk_is_copied_to_the_offices_review_inbox(cast, client):
    cast.office_a.idk_default = IdkBehaviour.SILENT
    cast.office_a.save()
    review = InboxFactory.create(office=cast.office_a)
    IdkReview.objects.create(office=cast.office_a, inbox=review)
    number = reusable(cast, response_type=ResponseType.BOT)

    inbound = routed(client, to=number.e164, body="Parking?")
    again = routed(client, to=number.e164, body="Hello??")

    inbound.conversation.refresh_from_db()
    assert inbound.conversation.inbox == review
    assert inbound.conversation.status == ConversationStatus.NEEDS_ATTENTION
    assert again.conversation_id == inbound.conversation_id


def test_a_bot_reply_outside_texting_hours_is_not_sent_and_says_why(cast, client):
    number = reusable(cast, response_type=ResponseType.BOT)
    BotAnswerFactory.create(office=cast.office_a)

    with time_machine.travel("2026-06-01T03:00:00Z", tick=False):
        inbound = routed(client, to=number.e164, body="deadline")

    assert replies(inbound.conversation) == []
    assert "Outside texting hours" in inbound.note


# --- other numbers ----------------------------------------------------------------------------
def test_a_dedicated_number_without_an_active_campaign_keeps_the_message_for_admins(cast, client):
    number = PhoneNumberFactory.create(organization=cast.org)

    inbound = routed(client, to=number.e164, body="Hello?")

    assert inbound.route == Route.NUMBER
    assert inbound.organization == cast.org
    assert inbound.conversation.number_e164 == number.e164


def test_simulate_inbound_prints_where_the_message_went(cast, capsys):
    number = reusable(cast)
    number.inboxes.set([InboxFactory.create(office=cast.office_a, name="Front desk")])

    call_command("simulate_inbound", "--to", number.e164, "--from", CONTACT, "--body", "Hi")

    out = capsys.readouterr().out
    assert "Routed: Inbox, Needs Attention" in out
    assert Conversation.objects.get().messages.get().body == "Hi"


def test_an_agent_reply_passes_the_same_gates(cast, client):
    number = reusable(cast)
    number.inboxes.set([InboxFactory.create(office=cast.office_a)])
    inbound = routed(client, to=number.e164, body="STOP")

    with pytest.raises(SendRefused, match="opted out"):
        conversation_send(
            conversation=inbound.conversation, body="Hi", key="a1", origin=Origin.AGENT
        )


def test_a_text_whose_task_was_lost_is_routed_by_the_sweep(cast, client, time_machine):
    from texting.tasks import route_pending

    number = reusable(cast)
    deliver(client, to=number.e164, body="Hello?")  # its task is never run here
    assert route_pending() == 0  # too recent: its task may still be on its way

    time_machine.move_to("2026-06-01T16:02:00Z", tick=False)

    assert route_pending() == 1
    assert InboundMessage.objects.get().route == Route.UNDELIVERED
