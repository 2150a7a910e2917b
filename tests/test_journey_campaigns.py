"""Journeys: an admin creates a campaign on a dedicated number, uploads contacts (a bad row is
reported, the rest saved), adds a sender and launches it; clones a provisioning-failed draft;
and creates a follow-up with targeting."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from campaigns.models import Campaign
from campaigns.tests.factories import (
    CampaignFactory,
    ContactFactory,
    OptOutFactory,
    PhoneNumberFactory,
)
from offices.models import Role
from offices.tests.factories import MembershipFactory, OfficeFactory
from tests.browser import check_page, confirm, screenshot, sign_in

pytestmark = pytest.mark.browser

CONTACTS = (
    b"phone,first_name,last_name,school\n"
    b"(212) 555-0101,Ada,Lovelace,Hunter High\n"
    b"212-555-0102,Alan,Turing,Bronx Science\n"
    b"call me,Bad,Row,Nowhere\n"
    b"646 555 0103,Grace,Hopper,Stuyvesant\n"
)


def _acme(org_name: str = "Acme College"):
    alice = MembershipFactory.create(
        role=Role.ADMIN,
        organization__name=org_name,
        user__email="alice@acme.test",
        user__first_name="Alice",
        user__last_name="Admin",
    )
    office = OfficeFactory.create(organization=alice.organization, name="Admissions")
    return alice, office


def test_create_upload_add_a_sender_and_launch_on_a_dedicated_number(
    live_server, page: Page
) -> None:
    alice, office = _acme()
    org = alice.organization
    PhoneNumberFactory.create(organization=org, e164="+12125550100")
    PhoneNumberFactory.create(organization=org, e164="+12125550199", provisioning=True)
    PhoneNumberFactory.create(
        organization=org, reusable=True, office=office, name="Front desk", agent="Ana"
    )
    PhoneNumberFactory.create(
        organization=org, reusable=True, office=office, name="Campus visits", agent="Ben"
    )
    MembershipFactory.create(
        organization=org, role=Role.SENDER, user__email="sam@acme.test", user__first_name="Sam"
    )

    sign_in(page, live_server.url, "alice@acme.test", "correct-horse-battery")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    page.get_by_role("button", name="New campaign").click()
    page.get_by_label("Name").fill("Fall visit day")
    page.get_by_label("Office").select_option(label="Admissions")
    page.get_by_label("Initial message").fill("Hi {first_name}, {school} is invited!")
    page.get_by_label("Start date").fill("2026-12-01T09:30")

    # The reusable picker: the office's numbers, filtered without a reload.
    page.get_by_role("radio", name="Reusable number").check()
    expect(page.get_by_role("cell", name="Campus visits", exact=True)).to_be_visible()
    page.locator("#picker-agent").select_option("Ana")
    expect(page.get_by_role("cell", name="Campus visits", exact=True)).to_have_count(0)
    expect(page.get_by_role("cell", name="Front desk", exact=True)).to_be_visible()
    check_page(page)
    screenshot(page, "campaign-form-reusable")

    page.get_by_role("radio", name="Dedicated number").check()
    expect(page.get_by_test_id("dedicated-provisioning")).to_contain_text(
        "1 dedicated number still provisioning is not listed"
    )
    page.locator("#id_dedicated_number").select_option(label="(212) 555-0100")
    # {school} is a column of the file uploaded below: it is checked then, not now.
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", name="Fall visit day")).to_be_visible()
    expect(page.locator(".number-card")).to_contain_text("(212) 555-0100")
    expect(page.locator(".number-card")).to_contain_text("Provisioning complete")

    page.get_by_role("link", name="Upload or view contacts").click()
    page.get_by_label("Contacts file (CSV)").set_input_files(
        files={"name": "contacts.csv", "mimeType": "text/csv", "buffer": CONTACTS}
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_test_id("valid-count")).to_have_text("3")
    expect(page.get_by_role("cell", name="Not a valid US phone number")).to_be_visible()
    expect(page.get_by_role("cell", name="call me")).to_be_visible()
    check_page(page)
    screenshot(page, "campaign-contacts-preview")
    page.get_by_role("button", name="Save 3 contacts").click()
    expect(page.get_by_text("3 contacts saved. 1 row skipped.")).to_be_visible()
    expect(page.get_by_role("cell", name="(212) 555-0101")).to_be_visible()

    page.get_by_role("link", name="Fall visit day").click()
    expect(page.get_by_test_id("contact-count")).to_have_text("3")
    sender = page.get_by_label("Sender", exact=True)
    sender.select_option(label="Sam " + _last_name("sam@acme.test"))
    page.get_by_role("button", name="Add sender").click()
    expect(page.get_by_text("added as a sender")).to_be_visible()
    confirm(page, "Launch")
    expect(page.get_by_text("“Fall visit day” is live.")).to_be_visible()
    expect(page.locator("[data-campaign-status=active]")).to_be_visible()
    expect(page.get_by_role("button", name="Launch")).to_have_count(0)
    launched = page.get_by_role("cell", name="Launched on dedicated number +12125550100")
    expect(launched).to_be_visible()
    check_page(page)
    screenshot(page, "campaign-detail-active")

    page.get_by_role("link", name="Campaigns", exact=True).first.click()
    expect(page.get_by_role("link", name="Fall visit day")).to_be_visible()
    check_page(page)
    screenshot(page, "campaign-index-active")
    assert Campaign.objects.get().status == "active"


def _last_name(email: str) -> str:
    from accounts.models import User

    user = User.objects.get(email=email)
    return f"{user.last_name} ({email})"


def test_a_provisioning_failed_draft_is_cloned(live_server, page: Page) -> None:
    alice, office = _acme()
    failed = CampaignFactory.create(
        organization=alice.organization,
        office=office,
        single_use=True,
        provisioning_failed=True,
        name="Spring open house",
    )
    ContactFactory.create_batch(4, campaign=failed)
    CampaignFactory.create(
        organization=alice.organization, single_use=True, status="launching", name="Night owls"
    )

    sign_in(page, live_server.url, "alice@acme.test", "correct-horse-battery")
    page.goto(f"{live_server.url}/campaigns/drafts/")
    expect(page.locator("[data-flag=launching]")).to_be_visible()
    expect(page.locator("[data-flag=provisioning-failed]")).to_be_visible()
    check_page(page)
    screenshot(page, "campaign-index-drafts")
    page.get_by_role("link", name="Spring open house").click()
    expect(page.get_by_text("This campaign cannot be launched again.")).to_be_visible()
    expect(page.get_by_role("button", name="Launch")).to_have_count(0)
    expect(page.get_by_test_id("senders-closed")).to_contain_text("takes its senders along")
    check_page(page)
    screenshot(page, "campaign-detail-provisioning-failed")

    page.get_by_role("button", name="Clone").click()
    expect(page.get_by_role("heading", name="Copy of Spring open house")).to_be_visible()
    expect(page.get_by_test_id("contact-count")).to_have_text("4")
    expect(page.locator(".number-card")).to_contain_text("Area codes 212, 646")
    expect(page.get_by_role("button", name="Launch")).to_be_visible()
    expect(page.get_by_role("cell", name="Cloned from “Spring open house”")).to_be_visible()

    # The failed draft, cloned, is archived off the Drafts index.
    page.get_by_role("link", name="Spring open house").click()
    confirm(page, "Archive")
    expect(page.get_by_text("“Spring open house” archived.")).to_be_visible()
    expect(page.locator("[data-flag=provisioning-failed]")).to_be_visible()
    check_page(page)
    screenshot(page, "campaign-detail-provisioning-failed-archived")
    page.goto(f"{live_server.url}/campaigns/drafts/")
    expect(page.get_by_role("link", name="Spring open house", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Copy of Spring open house")).to_be_visible()


def test_a_follow_up_with_targeting(live_server, page: Page) -> None:
    alice, office = _acme()
    parent = CampaignFactory.create(
        organization=alice.organization, office=office, active=True, name="Fall visit day"
    )
    now = timezone.now()
    for phone, replied in [
        ("+12025550101", True),
        ("+12025550102", False),
        ("+12025550103", False),
        ("+12025550104", False),
    ]:
        ContactFactory.create(campaign=parent, phone=phone, last_reply_at=now if replied else None)
    OptOutFactory.create(organization=alice.organization, phone="+12025550104")

    sign_in(page, live_server.url, "alice@acme.test", "correct-horse-battery")
    page.goto(f"{live_server.url}/campaigns/{parent.pk}/")
    page.get_by_role("button", name="Create follow-up").click()
    expect(page.get_by_test_id("remaining")).to_have_text("3")
    page.get_by_label("Remove contacts who replied").check()
    expect(page.get_by_test_id("remaining")).to_have_text("2")
    page.get_by_label("Remove these phone numbers").fill("(202) 555-0103")
    page.get_by_label("Initial message").fill("Last call, {first_name}!")
    expect(page.get_by_test_id("remaining")).to_have_text("1")
    check_page(page)
    screenshot(page, "campaign-follow-up")
    page.get_by_role("button", name="Create follow-up").click()

    expect(page.get_by_role("heading", name="Follow-up: Fall visit day")).to_be_visible()
    expect(page.get_by_test_id("contact-count")).to_have_text("1")
    confirm(page, "Launch")
    expect(page.get_by_text("is live.")).to_be_visible()
    expect(page.get_by_role("cell", name="Follow-up launched on")).to_be_visible()
    check_page(page)
    screenshot(page, "campaign-follow-up-active")
    follow_up = Campaign.objects.get(parent=parent)
    assert list(follow_up.contacts.values_list("phone", flat=True)) == ["+12025550102"]
    assert follow_up.phone_number == parent.phone_number
