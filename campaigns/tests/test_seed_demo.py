"""``seed_demo``: one organization that shows every state of numbers and campaigns at once,
and texting's every side (sent, replied, opted out, waiting in inboxes, answered by the bot),
made through the services, the engine and the router, and the same however often it runs."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from accounts.models import User
from campaigns.assignment import contacts_take_back
from campaigns.models import Campaign, CampaignSender, CampaignTransition, Contact, OptOut
from campaigns.services import campaign_archive, campaign_sender_remove
from config.celery import app
from inboxes.models import Conversation, InboundMessage, Message, MessageStatus
from notifications.models import OutboxEmail, OutboxStatus
from offices.models import Organization
from phone_numbers.models import IN_FLIGHT, Kind, PhoneNumber, ProvisioningAttempt
from provisioning.carriers.simulated_state import SimulatedNumber, SimulatedNumberState
from provisioning.polling import provisioning_poll

SENDER1, SENDER2 = "sender1@demo.longcode.test", "sender2@demo.longcode.test"
# Texting hours are 9:00 to 20:00 in the contacts' own zone (New York): 11:00 there, and 23:00.
DAYTIME = datetime(2026, 4, 14, 15, 0, tzinfo=UTC)
NIGHT = datetime(2026, 4, 14, 3, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def daytime():
    """The demo's texts leave within texting hours only: each test seeds at a set time of day."""
    with time_machine.travel(DAYTIME, tick=True):
        yield


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def demo_numbers():
    return PhoneNumber.objects.filter(organization__slug="demo-college")


def number(kind: str, *area_codes: str) -> PhoneNumber:
    return demo_numbers().get(kind=kind, area_codes=list(area_codes))


def campaign(name: str) -> Campaign:
    return Campaign.objects.get(organization__slug="demo-college", name=name)


def timeline(name: str) -> list[tuple[str, str]]:
    rows = campaign(name).transitions.order_by("at", "id")
    return [(row.from_status, row.to_status) for row in rows]


def outcomes(phone_number: PhoneNumber) -> list[str]:
    return list(phone_number.provisioning_attempts.order_by("n").values_list("outcome", flat=True))


@pytest.mark.django_db
def test_the_numbers_show_every_kind_and_provisioning_state() -> None:
    seed()

    shown = Counter(demo_numbers().values_list("kind", "provisioning_status"))
    assert shown == {
        ("dedicated", "complete"): 2,
        ("dedicated", "initiated"): 1,
        ("dedicated", "failed"): 1,
        ("reusable", "complete"): 3,
        ("reusable", "initiated"): 1,
        ("single_use", "initiated"): 1,
        ("single_use", "failed"): 1,
        ("single_use", "released"): 1,
    }
    reusable = demo_numbers().filter(kind=Kind.REUSABLE)
    assert set(reusable.values_list("office__name", "response_type")) == {
        ("Admissions", "agent"),
        ("Financial Aid", "agent"),
        ("Financial Aid", "bot"),
    }
    assert not reusable.filter(inboxes=None).exists()
    admissions_line = reusable.get(name="Admissions line")
    assert admissions_line.inbox_names == "Admissions front desk, Campus visits"

    failed = number(Kind.DEDICATED, "999")
    assert failed.failure_reason.startswith("Provisioning failed after 5 attempts. Last reason: ")
    assert outcomes(failed) == ["rejected"] * 5
    assert outcomes(number(Kind.DEDICATED, "998")) == ["rejected", "rejected", "approved"]
    assert outcomes(number(Kind.DEDICATED, "415", "628")) == ["approved"]
    for watched in demo_numbers().filter(provisioning_status__in=IN_FLIGHT):
        # Submitted, so the poller finds it: the tag turns green while you watch.
        assert watched.e164
        assert watched.next_poll_at is not None
        assert outcomes(watched) == ["pending"]


@pytest.mark.django_db
def test_the_campaigns_show_every_state_with_contacts_senders_and_their_timeline() -> None:
    seed()

    shown = {
        c.name: (c.status, c.provisioning_failed, c.number_choice)
        for c in Campaign.objects.filter(organization__slug="demo-college")
    }
    assert shown == {
        "Spring open house": ("active", False, "dedicated"),
        "Campus tour reminders": ("active", False, "reusable"),
        "Scholarship deadline": ("launching", False, "single_use"),
        "Work-study info session": ("draft", True, "single_use"),
        "Fall visit day": ("draft", False, "single_use"),
        "Summer orientation": ("archived", False, "single_use"),
    }
    assert timeline("Spring open house") == [("", "draft"), ("draft", "active")]
    assert timeline("Scholarship deadline") == [("", "draft"), ("draft", "launching")]
    assert timeline("Work-study info session") == [
        ("", "draft"),
        ("draft", "launching"),
        ("launching", "draft"),
    ]
    assert timeline("Summer orientation") == [
        ("", "draft"),
        ("draft", "launching"),
        ("launching", "active"),
        ("active", "archived"),
    ]
    failed = campaign("Work-study info session")
    assert failed.phone_number is not None
    assert failed.phone_number.provisioning_status == "failed"
    assert list(failed.transitions.all())[-1].reason.startswith(
        "Provisioning failed after 5 attempts"
    )
    archived = campaign("Summer orientation").phone_number
    assert archived is not None
    assert (archived.kind, archived.provisioning_status) == ("single_use", "released")
    assert campaign("Campus tour reminders").phone_number.in_use  # type: ignore[union-attr]

    for demo in Campaign.objects.filter(organization__slug="demo-college"):
        contacts = Contact.objects.filter(campaign=demo)
        assert 24 <= contacts.count() <= 40
        assert demo.contact_fields == ["school"]
        assert not contacts.filter(first_name="").exists()
        assert not contacts.filter(last_name="").exists()
        assert contacts.filter(fields__school="Lincoln High").exists()
        assert "{first_name}" in demo.initial_message
    senders = Counter(CampaignSender.objects.values_list("user__email", flat=True))
    assert senders == {SENDER1: 5, SENDER2: 4}


@pytest.mark.django_db
def test_the_outbox_holds_what_the_transitions_wrote() -> None:
    seed()

    events = Counter(
        event.split(":")[-1] for event in OutboxEmail.objects.values_list("event", flat=True)
    )
    # Launchers hear of each launch; senders get their assignment when a campaign goes live;
    # the requester of each dedicated or reusable number hears its outcome.
    assert events == {
        "active": 3,
        "assignment": 5,
        "launching": 3,
        "provisioning_failed": 1,
        "complete": 5,
        "failed": 1,
    }


@pytest.mark.django_db
def test_seeding_twice_changes_nothing() -> None:
    def snapshot() -> dict[str, object]:
        return {
            "numbers": sorted(
                PhoneNumber.objects.values_list("pk", "provisioning_status", "attempts", "e164")
            ),
            "campaigns": sorted(Campaign.objects.values_list("pk", "status", "updated_at")),
            "contacts": Contact.objects.count(),
            "senders": CampaignSender.objects.count(),
            "timeline": CampaignTransition.objects.count(),
            "attempts": ProvisioningAttempt.objects.count(),
            "outbox": OutboxEmail.objects.count(),
            "messages": sorted(Message.objects.values_list("pk", "status", "direction")),
            "inbound": sorted(InboundMessage.objects.values_list("pk", "route")),
            "conversations": sorted(Conversation.objects.values_list("pk", "status", "inbox")),
            "opt-outs": sorted(OptOut.objects.values_list("pk", "phone")),
            "assigned": Contact.objects.filter(assignee__isnull=False).count(),
        }

    assert "Created the demo organization" in seed()
    first = snapshot()
    assert first["contacts"] == 190
    assert len(first["messages"]) == 20  # type: ignore[arg-type]
    assert len(first["inbound"]) == 7  # type: ignore[arg-type]

    assert "Found the demo organization" in seed()

    assert snapshot() == first


@pytest.mark.django_db
def test_a_sender_sees_the_campaigns_they_send_on() -> None:
    seed()
    client = Client()
    assert client.login(email=SENDER2, password="longcode-demo")

    active = client.get("/campaigns/").content.decode()
    drafts = client.get("/campaigns/drafts/").content.decode()
    archived = client.get("/campaigns/archived/").content.decode()

    assert "Spring open house" in active
    assert "Campus tour reminders" not in active  # sender1's only
    assert "Scholarship deadline" in drafts
    assert "Work-study info session" in drafts
    assert "Fall visit day" not in drafts
    assert "Summer orientation" in archived


@pytest.mark.django_db
def test_what_provisions_while_you_watch_is_finished_by_the_poller() -> None:
    seed()

    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
        report = provisioning_poll()

    assert report.completed == 3
    assert not demo_numbers().filter(provisioning_status__in=IN_FLIGHT).exists()
    assert campaign("Scholarship deadline").status == "active"


@pytest.mark.django_db(transaction=True)
def test_the_seeding_leaves_no_task_for_the_worker_and_sends_no_mail(smtp_server) -> None:
    app.control.purge()

    seed()

    assert app.control.purge() == 0
    assert smtp_server.messages == []
    # The texts were delivered by the worker's task, run at commit: the carrier's reports came.
    sent = Message.objects.filter(direction="out")
    assert sent.count() == 13
    assert set(sent.values_list("status", flat=True)) == {MessageStatus.DELIVERED}
    assert set(OutboxEmail.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    # The seeding's releases ran: the carrier holds only the numbers that are provisioned or
    # provisioning; every rejected one and the archived campaign's went back.
    held = SimulatedNumber.objects.filter(state=SimulatedNumberState.OWNED)
    assert set(held.values_list("e164", flat=True)) == set(
        demo_numbers()
        .filter(provisioning_status__in=[*IN_FLIGHT, "complete"])
        .values_list("e164", flat=True)
    )
    assert SimulatedNumber.objects.filter(state=SimulatedNumberState.RELEASED).count() == 13


@pytest.mark.django_db
def test_seed_demo_refuses_a_carrier_that_buys_real_numbers(settings) -> None:
    settings.CARRIER_ADAPTER = "provisioning.carriers.base.CarrierAdapter"

    with pytest.raises(CommandError, match="the demo would buy real numbers"):
        seed()

    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_a_demo_that_cannot_be_built_says_why_and_saves_nothing(settings) -> None:
    settings.NUMBERS_PER_USE_CASE = 3

    with pytest.raises(CommandError, match=r"nothing was saved.*already has 3 numbers"):
        seed()

    assert not Organization.objects.exists()
    assert not PhoneNumber.objects.exists()


@pytest.mark.django_db
def test_every_demo_page_shows_its_state_to_the_admin() -> None:
    seed()
    client = Client()
    assert client.login(email="admin@demo.longcode.test", password="longcode-demo")

    listed = client.get("/numbers/").content.decode()
    for tag in ("Provisioning complete", "Provisioning initiated", "Provisioning failed"):
        assert tag in listed
    released = f'href="/numbers/{demo_numbers().get(provisioning_status="released").pk}/"'
    assert released not in listed
    assert released in client.get("/numbers/?status=released").content.decode()
    for demo_number in demo_numbers():
        assert client.get(f"/numbers/{demo_number.pk}/").status_code == 200
    for demo in Campaign.objects.filter(organization__slug="demo-college"):
        page = client.get(f"/campaigns/{demo.pk}/")
        assert page.status_code == 200
        assert demo.name in page.content.decode()
    failed = client.get(f"/campaigns/{campaign('Work-study info session').pk}/")
    assert "Provisioning failed" in failed.content.decode()


def spring_open_house() -> list[tuple[str | None, bool]]:
    rows = Contact.objects.filter(campaign=campaign("Spring open house"))
    return [
        (email, texted is not None)
        for email, texted in rows.values_list("assignee__email", "texted_at")
    ]


@pytest.mark.django_db
def test_each_sender_has_texted_part_of_their_share_and_has_more_to_text() -> None:
    seed()

    assert Counter(spring_open_house()) == {
        (SENDER1, True): 7,
        (SENDER1, False): 3,
        (SENDER2, True): 4,
        (SENDER2, False): 6,
        (None, False): 16,
    }
    initial = Message.objects.filter(idempotency_key__startswith="initial:")
    assert initial.count() == 11
    assert set(initial.values_list("sent_by__email", flat=True)) == {SENDER1, SENDER2}
    assert initial.filter(body__startswith="Hi Ava! Spring open house").exists()
    client = Client()
    assert client.login(email=SENDER2, password="longcode-demo")
    page = client.get(f"/messenger/{campaign('Spring open house').pk}/").content.decode()
    assert "Send" in page


@pytest.mark.django_db
def test_replies_wait_for_the_senders_and_a_stop_opted_out_its_contact() -> None:
    seed()

    replied = Contact.objects.filter(
        campaign=campaign("Spring open house"), last_reply_at__isnull=False
    )
    assert Counter(replied.values_list("assignee__email", flat=True)) == {SENDER1: 3, SENDER2: 1}
    waiting = replied.filter(conversation__status="needs_attention")
    assert Counter(waiting.values_list("assignee__email", flat=True)) == {SENDER1: 2, SENDER2: 1}
    stopped = replied.get(conversation__status="open")
    assert list(OptOut.objects.values_list("phone", "source")) == [(stopped.phone, "keyword")]
    confirmation = Message.objects.get(idempotency_key__startswith="opt-out:")
    assert confirmation.conversation_id == stopped.conversation_id
    client = Client()
    assert client.login(email=SENDER1, password="longcode-demo")
    replies = client.get(f"/messenger/{campaign('Spring open house').pk}/replies/")
    for contact in waiting.filter(assignee__email=SENDER1):
        assert contact.first_name in replies.content.decode()
    assert client.login(email="admin@demo.longcode.test", password="longcode-demo")
    assert "555-0105" in client.get("/opt-outs/").content.decode()


@pytest.mark.django_db
def test_new_people_wait_in_the_inbox_and_the_bot_answers_its_number() -> None:
    seed()

    routes = Counter(InboundMessage.objects.values_list("route", flat=True))
    assert routes == {"campaign": 3, "opt_out": 1, "inbox": 2, "bot": 1}
    waiting = Conversation.objects.filter(inbox__name="Campus visits", status="needs_attention")
    assert waiting.count() == 2
    client = Client()
    assert client.login(email="member@demo.longcode.test", password="longcode-demo")
    inbox = client.get(f"/inboxes/{waiting[0].inbox_id}/").content.decode()
    assert "No conversations here" not in inbox
    bot = Message.objects.get(origin="bot")
    assert bot.body.startswith("The priority FAFSA deadline is March 1.")
    assert bot.conversation.number_e164 == number(Kind.REUSABLE, "305").e164
    assert bot.conversation.bot


@pytest.mark.django_db
def test_texts_held_back_by_texting_hours_leave_when_it_is_seeded_again_in_them() -> None:
    with time_machine.travel(NIGHT, tick=True):
        printed = seed()

    # Eleven initial messages and the bot's question.
    assert "12 of the demo's texts wait for texting hours (09:00 to 20:00" in printed
    assert not Message.objects.filter(direction="out").exists()
    assert not Contact.objects.filter(texted_at__isnull=False).exists()
    # Only the texts that ask nothing of the gate came in: the agent-backed number's.
    assert Counter(InboundMessage.objects.values_list("route", flat=True)) == {"inbox": 2}

    assert "wait for texting hours" not in seed()

    assert Counter(texted for _, texted in spring_open_house()) == {True: 11, False: 25}
    assert InboundMessage.objects.count() == 7
    assert Message.objects.filter(origin="bot").count() == 1


@pytest.mark.django_db
def test_a_demo_changed_by_hand_is_seeded_again_without_undoing_it() -> None:
    seed()
    spring = campaign("Spring open house")
    admin = User.objects.get(email="admin@demo.longcode.test")
    sender2 = User.objects.get(email=SENDER2)
    contacts_take_back(campaign=spring, sender=sender2)
    campaign_sender_remove(campaign=spring, user=sender2)
    messages = Message.objects.count()

    seed()

    assert not Contact.objects.filter(campaign=spring, assignee=sender2, texted_at=None).exists()
    assert Message.objects.count() == messages
    campaign_archive(campaign=spring, archived_by=admin)

    seed()

    assert campaign("Spring open house").status == "archived"
    assert Message.objects.count() == messages
