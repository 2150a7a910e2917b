"""Journeys: a newcomer follows a campaign's invite link, lands on their assignment, gets a
batch with self-assign and texts with the Enter key; an admin pre-loads a campaign, launches
it with no senders, then adds a sender and assigns contacts from the panel."""

from datetime import time

import pytest
from playwright.sync_api import Page, expect

from campaigns.invite_links import campaign_invite_link_enable
from campaigns.models import Contact
from campaigns.tests.factories import CampaignFactory, ContactFactory
from inboxes.models import Message
from offices.models import Role
from offices.tests.factories import MembershipFactory, OfficeFactory
from tests.browser import check_page, confirm, screenshot, sign_in

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


def test_a_newcomer_follows_the_invite_link_self_assigns_and_texts_with_enter(
    live_server, page: Page
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
    token = campaign_invite_link_enable(campaign=campaign)

    page.goto(f"{live_server.url}/join/{token}/")
    expect(page.get_by_role("heading", name="Join “Fall outreach”")).to_be_visible()
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("E-mail").fill("nia@example.test")
    page.get_by_label("Password").fill("a-long-passphrase-9")
    page.get_by_role("button", name="Create account and join").click()

    expect(page.get_by_text("You are a sender of “Fall outreach”.")).to_be_visible()
    expect(page.get_by_role("heading", name="Nothing left to send")).to_be_visible()
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


def _last_name(email: str) -> str:
    from accounts.models import User

    return User.objects.get(email=email).last_name
