"""Journeys of inbound messages: an agent answers a conversation in Needs Attention, sees the
contact's next text appear without a reload, closes it and starts a 1:1 text; an admin writes
the bot's answers and watches a bot-backed number answer; a contact texts STOP through the
signed webhook, the opt-out shows on the Opt-outs page and the sender's next send is refused.

The messenger pages belong to the senders' branch: the refused send is checked at the sending
service, with the reason the messenger shows."""

import json
import re
import urllib.request
import uuid

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from campaigns.models import OptOut
from campaigns.sending import SendRefused, reply_send
from campaigns.tests.factories import (
    CampaignFactory,
    CampaignSenderFactory,
    ContactFactory,
    PhoneNumberFactory,
)
from inboxes.models import Conversation, Message
from inboxes.tests.factories import InboxFactory
from offices.models import IdkBehaviour, Role
from offices.tests.factories import MembershipFactory, OfficeFactory
from phone_numbers.display import phone_readable
from phone_numbers.models import ResponseType
from provisioning.carriers.simulated import webhook_headers
from tests.browser import check_page, screenshot, sign_in
from tests.waiting import wait_for
from texting.tests.helpers import all_day

pytestmark = pytest.mark.browser
CONTACT = "+12125550123"
# How the pages show it.
READABLE_CONTACT = "(212) 555-0123"
PASSWORD = "correct-horse-battery"


def text_in(to: str | None, body: str) -> None:
    assert to is not None
    call_command("simulate_inbound", "--to", to, "--from", CONTACT, "--body", body)


def carrier_delivers(server_url: str, to: str | None, body: str) -> None:
    """The simulated carrier's own delivery: signed, over HTTP, to the live server."""
    payload = {"id": f"SIMIN-{uuid.uuid4().hex}", "to": to, "from": CONTACT, "body": body}
    raw = json.dumps(payload).encode()
    request = urllib.request.Request(
        f"{server_url}/hooks/simulated/inbound/",
        data=raw,
        headers={**webhook_headers(raw), "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 200


def test_an_agent_answers_closes_and_starts_a_one_to_one_text(live_server, page: Page) -> None:
    bob = MembershipFactory.create(
        role=Role.MEMBER, organization__name="Acme College", user__email="bob@acme.test"
    )
    org = bob.organization
    all_day(org)
    office = OfficeFactory.create(organization=org, name="Admissions")
    bob.offices.add(office)
    inbox = InboxFactory.create(office=office, name="Front desk")
    number = PhoneNumberFactory.create(
        organization=org, reusable=True, office=office, name="Visits line"
    )
    number.inboxes.set([inbox])
    text_in(number.e164, "Can someone call me about the visit?")

    sign_in(page, live_server.url, "bob@acme.test", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Inboxes").click()
    expect(page.get_by_text("1 unread")).to_be_visible()
    page.get_by_role("link", name="Front desk").click()
    expect(page.get_by_role("link", name="Needs Attention")).to_contain_text("1")
    check_page(page)
    page.get_by_role("link", name=READABLE_CONTACT).click()
    expect(page.get_by_text("Can someone call me about the visit?")).to_be_visible()

    page.get_by_label("Reply").fill("Of course, what time suits you?")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Of course, what time suits you?")).to_be_visible()
    expect(page.get_by_text("Agent · ")).to_be_visible()
    text_in(number.e164, "Tomorrow at 10 works")
    # The page polls its thread: the contact's answer shows without a reload.
    expect(page.get_by_text("Tomorrow at 10 works")).to_be_visible(timeout=15_000)
    screenshot(page, "conversation")
    check_page(page)

    page.get_by_role("button", name="Close").click()
    expect(page.get_by_text("Closed", exact=True)).to_be_visible()
    page.get_by_role("link", name="Front desk").click()
    page.get_by_role("link", name="Closed").click()
    expect(page.get_by_role("link", name=READABLE_CONTACT)).to_be_visible()

    page.get_by_role("button", name="New message").click()
    check_page(page)
    page.get_by_label("From").select_option(label=f"Visits line ({phone_readable(number.e164)})")
    page.get_by_label("To").fill("(646) 555-0199")
    page.get_by_label("Message").fill("Hi, this is Admissions at Acme.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="(646) 555-0199")).to_be_visible()
    expect(page.get_by_text("Hi, this is Admissions at Acme.")).to_be_visible()
    assert Conversation.objects.get(contact_e164="+16465550199").inbox == inbox


def test_an_admin_edits_the_bots_answers_and_a_bot_backed_number_answers(
    live_server, page: Page
) -> None:
    alice = MembershipFactory.create(
        role=Role.ADMIN, organization__name="Acme College", user__email="alice@acme.test"
    )
    org = alice.organization
    all_day(org)
    office = OfficeFactory.create(
        organization=org, name="Financial Aid", idk_default=IdkBehaviour.SILENT
    )
    number = PhoneNumberFactory.create(
        organization=org, reusable=True, office=office, response_type=ResponseType.BOT
    )

    sign_in(page, live_server.url, "alice@acme.test", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Offices").click()
    page.get_by_role("link", name="Financial Aid").click()
    page.get_by_role("link", name="Bot answers").click()
    page.get_by_label("Phrases").fill("deadline\nFAFSA deadline")
    page.get_by_role("textbox", name="Answer").fill("The FAFSA deadline is June 30.")
    page.get_by_role("button", name="Add answer").click()
    expect(page.get_by_text("Answer added.")).to_be_visible()
    page.get_by_role("link", name="Edit").click()
    page.get_by_role("textbox", name="Answer").fill("The FAFSA deadline is July 1.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="The FAFSA deadline is July 1.")).to_be_visible()
    screenshot(page, "bot-answers")
    check_page(page)

    text_in(number.e164, "when is the fafsa deadline??")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Inboxes").click()
    page.get_by_role("button", name="Messages in no inbox").click()
    page.get_by_role("link", name=READABLE_CONTACT).click()
    expect(page.get_by_text("when is the fafsa deadline??")).to_be_visible()
    expect(page.locator(".bubble-bot")).to_contain_text("The FAFSA deadline is July 1.")


@pytest.mark.usefixtures("celery_worker")
def test_a_contact_texts_stop_and_the_senders_next_send_is_refused(live_server, page: Page) -> None:
    alice = MembershipFactory.create(
        role=Role.ADMIN, organization__name="Acme College", user__email="alice@acme.test"
    )
    org = alice.organization
    all_day(org)
    sam = MembershipFactory.create(organization=org, role=Role.SENDER).user
    campaign = CampaignFactory.create(organization=org, active=True)
    CampaignSenderFactory.create(campaign=campaign, user=sam)
    contact = ContactFactory.create(campaign=campaign, phone=CONTACT, assignee=sam)
    assert campaign.phone_number is not None

    carrier_delivers(live_server.url, campaign.phone_number.e164, " Stop. ")
    wait_for(lambda: OptOut.objects.filter(phone=CONTACT).exists(), what="the opt-out")
    wait_for(
        lambda: Message.objects.filter(body=org.opt_out_message, status="delivered").exists(),
        what="the confirmation delivered",
    )

    sign_in(page, live_server.url, "alice@acme.test", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Opt-outs").click()
    row = page.get_by_role("row").filter(has_text=READABLE_CONTACT)
    expect(row).to_contain_text("Keyword")
    screenshot(page, "opt-outs")
    check_page(page)

    contact.refresh_from_db()
    with pytest.raises(
        SendRefused, match=re.escape(f"{CONTACT} opted out: nobody in the organization")
    ):
        reply_send(contact=contact, sender=sam, body="Are you coming?", idempotency_key="j1")


@pytest.mark.usefixtures("celery_worker")
def test_an_admin_edits_the_help_text_and_a_contact_texting_help_gets_it(
    live_server, page: Page
) -> None:
    alice = MembershipFactory.create(
        role=Role.ADMIN, organization__name="Acme College", user__email="alice@acme.test"
    )
    org = alice.organization
    all_day(org)
    office = OfficeFactory.create(organization=org, name="Admissions")
    number = PhoneNumberFactory.create(organization=org, reusable=True, office=office)
    help_text = "Acme College Admissions: call (212) 555-0100, 9-5. Reply STOP to opt out."

    sign_in(page, live_server.url, "alice@acme.test", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_label("Help text").fill("x" * 307)
    expect(page.get_by_text("307 of 306 characters (GSM-7): 3 SMS segments.")).to_be_visible()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("This text takes 3 SMS segments")).to_be_visible()
    page.get_by_label("Help text").fill(help_text)
    expect(page.get_by_text("73 of 306 characters (GSM-7): 1 SMS segment.")).to_be_visible()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    expect(page.get_by_label("Help text")).to_have_value(help_text)
    check_page(page)

    carrier_delivers(live_server.url, number.e164, "HELP")
    wait_for(
        lambda: Message.objects.filter(body=help_text, status="delivered").exists(),
        what="the help text answered (routed by the worker) and delivered",
    )

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Inboxes").click()
    page.get_by_role("button", name="Messages in no inbox").click()
    page.get_by_role("link", name=READABLE_CONTACT).click()
    expect(page.get_by_text("HELP", exact=True)).to_be_visible()
    expect(page.get_by_text(help_text)).to_be_visible()
