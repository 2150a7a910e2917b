"""Journeys: a newcomer follows a campaign's invite link, lands on their assignment, gets a
batch with self-assign, texts with the Enter key, sees a contact's reply (through the carrier's
signed inbound webhook and the routing worker) appear in Replies without a reload and answers it
with the campaign's canned response; an admin pre-loads a campaign, launches
it with no senders, then adds a sender and assigns contacts from the panel."""

import json
import re
import urllib.request
import uuid
from datetime import time

import pytest
from playwright.sync_api import Page, expect

from campaigns.canned_responses import canned_response_create
from campaigns.invite_links import campaign_invite_link_enable
from campaigns.models import Contact
from campaigns.tests.factories import CampaignFactory, ContactFactory
from inboxes.models import Direction, Message, MessageStatus
from offices.models import Role
from offices.tests.factories import MembershipFactory, OfficeFactory
from provisioning.carriers.simulated import webhook_headers
from tests.browser import check_page, confirm, screenshot, sign_in
from tests.waiting import wait_for

pytestmark = pytest.mark.browser


def _acme():
    alice = MembershipFactory.create(
        role=Role.ADMIN,
        organization__name="Acme College",
        user__email="alice@acme.test",
        user__first_name="Alice",
    )
    org = alice.organization
    # Whenever the journey runs, it is within texting hours.
    org.texting_hours_start, org.texting_hours_end = time(0, 0), time(23, 59, 59)
    org.save()
    return org, OfficeFactory.create(organization=org, name="Admissions")


def _text_in(live_server_url: str, *, to: str | None, sender: str, body: str) -> None:
    """The contact's reply as the simulated carrier delivers it: a signed inbound webhook."""
    assert to is not None
    raw = json.dumps(
        {"id": f"SIMIN-{uuid.uuid4().hex}", "to": to, "from": sender, "body": body}
    ).encode()
    request = urllib.request.Request(
        f"{live_server_url}/hooks/simulated/inbound/",
        data=raw,
        headers={**webhook_headers(raw), "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 200


def test_a_newcomer_follows_the_invite_link_self_assigns_texts_and_answers_a_reply(
    live_server, celery_worker, page: Page
) -> None:
    org, office = _acme()
    campaign = CampaignFactory.create(
        organization=org,
        office=office,
        active=True,
        name="Fall outreach",
        initial_message="Hi {first_name}, this is Acme College.",
        self_assign=True,
        batch_size=2,
    )
    for n, name in enumerate(["Ada", "Bo", "Cy"], start=1):
        ContactFactory.create(campaign=campaign, first_name=name, phone=f"+1212555010{n}")
    canned_response_create(
        campaign=campaign, title="Parking", text="Parking is free in Lot B on visit days."
    )
    token = campaign_invite_link_enable(campaign=campaign)

    page.goto(f"{live_server.url}/join/{token}/")
    expect(page.get_by_role("heading", name="Join “Fall outreach”")).to_be_visible()
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("E-mail").fill("nia@example.test")
    page.get_by_label("Password").fill("a-long-passphrase-9")
    page.get_by_role("button", name="Create account and join").click()

    expect(page.get_by_text("You are a sender of “Fall outreach”.")).to_be_visible()
    expect(page.get_by_role("heading", name="No contacts assigned to you yet")).to_be_visible()
    check_page(page)
    screenshot(page, "messenger-get-more")
    page.get_by_role("button", name="Get more").click()

    expect(page.get_by_test_id("initial-message")).to_have_text("Hi Ada, this is Acme College.")
    expect(page.get_by_test_id("left")).to_have_text("2")
    check_page(page)
    screenshot(page, "messenger-assignment")
    page.get_by_role("button", name="Send").press("Enter")
    expect(page.get_by_test_id("initial-message")).to_have_text("Hi Bo, this is Acme College.")
    page.get_by_role("button", name="Send").press("Enter")
    expect(page.get_by_role("heading", name="Nothing left to send")).to_be_visible()

    sent = list(Message.objects.order_by("id").values_list("body", flat=True))
    assert sent == ["Hi Ada, this is Acme College.", "Hi Bo, this is Acme College."]
    assert Contact.objects.filter(assignee__email="nia@example.test").count() == 2

    page.get_by_role("button", name="Replies").click()
    expect(page.get_by_role("heading", name="Replies")).to_be_visible()
    expect(page.get_by_text("No reply waits for an answer.")).to_be_visible()
    check_page(page)
    _text_in(
        live_server.url,
        to=campaign.phone_number.e164 if campaign.phone_number else None,
        sender="+12125550101",
        body="Is parking free when I visit?",
    )
    # The worker routes the reply into Ada's conversation; the page polls: no reload.
    ada = page.get_by_role("list", name="Conversations waiting for an answer").get_by_role(
        "link", name="Ada"
    )
    expect(ada).to_be_visible(timeout=20_000)
    expect(page.get_by_text("No reply waits for an answer.")).to_have_count(0)
    check_page(page)
    screenshot(page, "messenger-replies")

    ada.click()
    thread = page.get_by_role("region", name="Conversation")
    expect(thread).to_contain_text("Hi Ada, this is Acme College.")
    expect(thread).to_contain_text("Is parking free when I visit?")
    page.get_by_label("Canned response").select_option(label="Parking")
    expect(page.get_by_label("Answer")).to_have_value("Parking is free in Lot B on visit days.")
    check_page(page)
    page.get_by_role("button", name="Send", exact=True).click()

    answer = thread.locator(".bubble-out").filter(has_text="Parking is free in Lot B")
    expect(answer).to_be_visible()
    expect(answer.get_by_test_id("delivery")).to_have_text(re.compile("Queued|Sent|Delivered"))
    wait_for(
        lambda: Message.objects.filter(
            body="Parking is free in Lot B on visit days.", status=MessageStatus.DELIVERED
        ).exists(),
        what="the answer delivered by the worker",
    )
    page.reload()
    expect(answer.get_by_test_id("delivery")).to_have_text("Delivered")
    check_page(page)
    screenshot(page, "messenger-conversation")
    assert list(
        Message.objects.filter(conversation__contact_e164="+12125550101")
        .order_by("id")
        .values_list("direction", "body")
    ) == [
        (Direction.OUT, "Hi Ada, this is Acme College."),
        (Direction.IN, "Is parking free when I visit?"),
        (Direction.OUT, "Parking is free in Lot B on visit days."),
    ]

    # Answered: the conversation leaves Replies.
    page.get_by_role("link", name="Replies").click()
    expect(page.get_by_text("No reply waits for an answer.")).to_be_visible()


def test_an_admin_preloads_launches_with_no_senders_then_adds_one_and_assigns(
    live_server, page: Page
) -> None:
    org, office = _acme()
    campaign = CampaignFactory.create(organization=org, office=office, name="Spring visits")
    ContactFactory.create_batch(5, campaign=campaign)
    MembershipFactory.create(
        organization=org, role=Role.SENDER, user__email="sam@acme.test", user__first_name="Sam"
    )

    sign_in(page, live_server.url, "alice@acme.test", "correct-horse-battery")
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
    confirm(page, "Launch")
    panel = page.get_by_role("region", name="Assignments")
    expect(panel.get_by_test_id("unassigned")).to_have_text("5")
    expect(panel).to_contain_text("No senders yet")

    page.get_by_label("Sender", exact=True).select_option(
        label=f"Sam {_last_name('sam@acme.test')} (sam@acme.test)"
    )
    page.get_by_role("button", name="Add sender").click()
    row = panel.locator("tr[data-sender='sam@acme.test']")
    row.get_by_label("Contacts to assign to").fill("3")
    row.get_by_role("button", name="Assign").click()

    expect(row.get_by_test_id("assigned")).to_have_text("3")
    expect(panel.get_by_test_id("unassigned")).to_have_text("2")
    check_page(page)
    screenshot(page, "campaign-sender-panel")
    panel.get_by_role("button", name="Turn on").click()
    expect(panel.get_by_test_id("invite-link")).to_have_value(
        f"{live_server.url}/join/"
        + panel.get_by_test_id("invite-link").input_value().rsplit("/join/")[1]
    )
    expect(panel.get_by_test_id("invite-state")).to_have_text("on")
    # The link is there to copy again on the next visit, not only when it was made.
    link = panel.get_by_test_id("invite-link").input_value()
    page.reload()
    expect(page.get_by_test_id("invite-link")).to_have_value(link)


def _last_name(email: str) -> str:
    from accounts.models import User

    return User.objects.get(email=email).last_name
