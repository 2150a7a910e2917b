"""Journeys of provisioning-based launching, with a real worker polling the simulated carrier:
create a single-use campaign → upload contacts → launch → watch "Launching" turn "Active";
and launch in area code 999 → provisioning fails → clone → a fresh draft."""

import pytest
from playwright.sync_api import Page, expect

from campaigns.models import Campaign
from campaigns.tests.factories import CampaignFactory, ContactFactory
from tests.browser import check_page, confirm, screenshot, sign_in
from tests.journey_people import acme_admin_with_office

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("celery_worker", "beat")]

CONTACTS = (
    b"phone,first_name,last_name\n"
    b"(212) 555-0101,Ada,Lovelace\n"
    b"212-555-0102,Alan,Turing\n"
    b"646 555 0103,Grace,Hopper\n"
)


def test_a_single_use_campaign_launches_and_turns_active(live_server, page: Page, settings):
    # Long enough to check two pages (at two widths each) while the campaign is launching.
    settings.SIMULATED_CARRIER_LATENCY = "8-10"
    settings.PROVISIONING_POLL_SECONDS = 1
    acme_admin_with_office()

    sign_in(page, live_server.url, "alice@acme.test", "correct-horse-battery")
    page.goto(f"{live_server.url}/campaigns/new/")
    page.get_by_label("Name").fill("Night owls")
    page.get_by_label("Office").select_option(label="Admissions")
    page.get_by_label("Initial message").fill("Hi {first_name}, the library is open late!")
    page.get_by_label("10DLC use case").select_option(label="Student outreach")
    page.get_by_role("radio", name="Single-use number").check()
    page.get_by_label("Area code preferences").fill("415, 212")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.locator(".number-card")).to_contain_text("Area codes 415, 212")

    page.get_by_role("link", name="Upload or view contacts").click()
    page.get_by_label("Contacts file (CSV)").set_input_files(
        files={"name": "contacts.csv", "mimeType": "text/csv", "buffer": CONTACTS}
    )
    page.get_by_role("button", name="Preview").click()
    page.get_by_role("button", name="Save 3 contacts").click()
    expect(page.get_by_text("3 contacts saved.")).to_be_visible()
    page.get_by_role("link", name="Night owls").click()

    confirm(page, "Launch")
    expect(page.get_by_text("“Night owls” is launching")).to_be_visible()
    expect(page.locator("[data-flag=launching]")).to_have_text("Launching")
    card = page.locator("#number-card")
    expect(card.locator(".tag")).to_have_text("Provisioning initiated")
    expect(card.get_by_test_id("attempts")).to_contain_text("/5")
    expect(page.get_by_role("button", name="Launch")).to_have_count(0)
    check_page(page)
    screenshot(page, "campaign-detail-launching")

    page.goto(f"{live_server.url}/campaigns/drafts/")
    row = page.get_by_role("row").filter(has_text="Night owls")
    expect(row.locator("[data-flag=launching]")).to_be_visible()
    check_page(page)
    screenshot(page, "campaign-index-launching")
    row.get_by_role("link", name="Night owls").click()

    # The card polls; when the number is provisioned the page reloads as an active campaign.
    expect(page.locator("[data-campaign-status=active]")).to_be_visible(timeout=20_000)
    expect(page.locator("[data-flag=launching]")).to_have_count(0)
    expect(card.locator(".tag")).to_have_text("Provisioning complete")
    expect(card.locator(".number-big")).to_contain_text("(415)")
    expect(page.get_by_role("cell", name="provisioning complete", exact=False)).to_be_visible()
    check_page(page)
    screenshot(page, "campaign-detail-launched-active")
    assert Campaign.objects.get().status == "active"


def test_a_launch_in_999_fails_and_the_clone_is_a_fresh_draft(live_server, page: Page, settings):
    settings.SIMULATED_CARRIER_LATENCY = "0-0"
    settings.PROVISIONING_POLL_SECONDS = 1
    settings.PROVISIONING_MAX_ATTEMPTS = 3
    alice, office = acme_admin_with_office()
    campaign = CampaignFactory.create(
        organization=alice.organization,
        office=office,
        single_use=True,
        area_codes=["999"],
        name="Spring open house",
    )
    ContactFactory.create_batch(4, campaign=campaign)

    sign_in(page, live_server.url, "alice@acme.test", "correct-horse-battery")
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
    confirm(page, "Launch")
    expect(page.get_by_text("“Spring open house” is launching")).to_be_visible()

    failed = page.locator("[data-flag=provisioning-failed]")
    expect(failed).to_have_text("Provisioning failed", timeout=30_000)
    expect(page.get_by_test_id("failure-reason")).to_contain_text(
        "Provisioning failed after 3 attempts"
    )
    expect(page.get_by_role("button", name="Launch")).to_have_count(0)
    expect(page.get_by_role("button", name="Archive")).to_be_visible()  # off Drafts, if wanted
    check_page(page)
    screenshot(page, "campaign-detail-launch-failed")

    page.get_by_role("button", name="Clone").click()
    expect(page.get_by_role("heading", name="Copy of Spring open house")).to_be_visible()
    expect(page.locator("[data-campaign-status=draft]")).to_be_visible()
    expect(page.locator("[data-flag=provisioning-failed]")).to_have_count(0)
    expect(page.get_by_test_id("contact-count")).to_have_text("4")
    expect(page.locator(".number-card")).to_contain_text("Area code 999")
    expect(page.get_by_role("button", name="Launch")).to_be_visible()
    check_page(page)
    screenshot(page, "campaign-detail-clone-of-failed")
    clone = Campaign.objects.get(cloned_from=campaign)
    assert (clone.status, clone.provisioning_failed, clone.phone_number) == ("draft", False, None)
