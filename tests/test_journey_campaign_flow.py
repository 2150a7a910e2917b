"""Journeys of issue 9's campaign flow: a message written before its file (its fields checked
when the file is uploaded), Launch and Archive that ask first in a dialog saying what will
happen, and a 50,000-row upload that shows it is working."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from campaigns.models import Campaign, CampaignStatus
from campaigns.tests.factories import CampaignFactory
from tests.browser import check_page, confirm, screenshot, sign_in
from tests.journey_people import acme_admin_with_office

pytestmark = pytest.mark.browser

WITHOUT_SCHOOL = b"phone,first_name,last_name\n(212) 555-0101,Ada,Lovelace\n"
WITH_SCHOOL = (
    b"phone,first_name,last_name,school\n"
    b"(212) 555-0101,Ada,Lovelace,Hunter High\n"
    b"212-555-0102,Alan,Turing,Bronx Science\n"
    b"646 555 0103,Grace,Hopper,Stuyvesant\n"
)


def _upload(page: Page, content: bytes) -> None:
    page.get_by_label("Contacts file (CSV)").set_input_files(
        files={"name": "contacts.csv", "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Preview").click()


@pytest.mark.usefixtures("celery_worker", "beat")
def test_a_message_written_before_its_file_launches_and_archives_after_asking(
    live_server, page: Page, settings
):
    settings.SIMULATED_CARRIER_LATENCY = "0-0"
    settings.PROVISIONING_POLL_SECONDS = 1
    acme_admin_with_office()
    sign_in(page, live_server.url, "alice@acme.test", "correct-horse-battery")

    page.goto(f"{live_server.url}/campaigns/new/")
    page.get_by_label("Name").fill("Campus tours")
    page.get_by_label("Office").select_option(label="Admissions")
    page.get_by_label("Initial message").fill("Hi {first_name}, {school} tours start Monday!")
    page.get_by_label("10DLC use case").select_option(label="Student outreach")
    page.get_by_role("radio", name="Single-use number").check()
    page.get_by_label("Area code preferences").fill("415")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_text("“Campus tours” created as a draft.")).to_be_visible()
    expect(page.locator(".number-card")).to_contain_text("Area code 415.")

    page.get_by_role("link", name="Upload or view contacts").click()
    _upload(page, WITHOUT_SCHOOL)
    error = page.locator("#id_file_errors")
    expect(error).to_contain_text("The initial message uses {school}, but this file has no")
    expect(error).to_contain_text("school column")
    check_page(page)
    screenshot(page, "campaign-contacts-missing-field")
    _upload(page, WITH_SCHOOL)
    expect(page.get_by_text("Extra columns kept as fields: school.")).to_be_visible()
    page.get_by_role("button", name="Save 3 contacts").click()
    expect(page.get_by_text("3 contacts saved.")).to_be_visible()
    page.get_by_role("link", name="Campus tours").click()

    # Asking first: Cancel leaves the draft as it was.
    page.get_by_role("button", name="Launch", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(
        "Launching buys a number in area code 415 and starts provisioning with the carriers; "
        "no message can be sent until it is complete."
    )
    check_page(page)
    screenshot(page, "campaign-confirm-launch")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("[data-campaign-status=draft]")).to_be_visible()

    confirm(page, "Launch")
    expect(page.get_by_text("“Campus tours” is launching")).to_be_visible()
    expect(page.locator("[data-campaign-status=active]")).to_be_visible(timeout=20_000)

    page.get_by_role("button", name="Archive", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Archiving “Campus tours” releases (415) ")
    expect(dialog).to_contain_text("to the carrier for good; it cannot be undone.")
    check_page(page)
    screenshot(page, "campaign-confirm-archive")
    dialog.get_by_role("button", name="Archive", exact=True).click()
    expect(page.get_by_text("“Campus tours” archived.")).to_be_visible()
    expect(page.locator("[data-campaign-status=archived]")).to_be_visible()
    campaign = Campaign.objects.get()
    assert campaign.status == CampaignStatus.ARCHIVED
    assert campaign.contact_fields == ["school"]


def test_a_50000_row_upload_shows_it_is_working(live_server, page: Page) -> None:
    alice, office = acme_admin_with_office()
    campaign = CampaignFactory.create(organization=alice.organization, office=office, name="Big")
    rows = [f"(212) {200 + i // 10000:03d}-{i % 10000:04d},Ada{i},L" for i in range(50_000)]
    content = "\n".join(["phone,first_name,last_name", *rows]).encode()
    sign_in(page, live_server.url, "alice@acme.test", "correct-horse-battery")
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/contacts/")

    page.get_by_label("Contacts file (CSV)").set_input_files(
        files={"name": "big.csv", "mimeType": "text/csv", "buffer": content}
    )
    button = page.get_by_role("button", name="Preview")
    button.click()

    # The server reads 50,000 rows for a few seconds: the button says so and cannot be resent.
    working = page.get_by_role("button", name="Checking 50,000 rows…")
    expect(working).to_be_disabled()
    expect(working).to_have_attribute("aria-busy", "true")
    check_page(page)
    screenshot(page, "campaign-contacts-checking")
    expect(page.get_by_test_id("valid-count")).to_have_text("50,000", timeout=60_000)
    save = page.get_by_role("button", name="Save 50,000 contacts")
    save.click()
    expect(page.get_by_text("50000 contacts saved.")).to_be_visible(timeout=60_000)
    assert campaign.contacts.count() == 50_000


def test_without_javascript_archive_asks_on_a_page_first(live_server, browser: Browser) -> None:
    alice, office = acme_admin_with_office()
    campaign = CampaignFactory.create(
        organization=alice.organization, office=office, active=True, name="Open day"
    )
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server.url, "alice@acme.test", "correct-horse-battery")
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")

    page.get_by_role("button", name="Archive", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/campaigns/{campaign.pk}/archive/\??$"))
    expect(page.get_by_test_id("consequence")).to_contain_text(
        "Archiving “Open day” keeps the dedicated number"
    )
    # No axe here: it runs in the page, and this page has no JavaScript (test_journey_screens
    # checks the same confirm page with it).
    screenshot(page, "campaign-confirm-archive-page")
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ACTIVE
    page.get_by_role("button", name="Archive", exact=True).click()
    expect(page.get_by_text("“Open day” archived.")).to_be_visible()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ARCHIVED
    context.close()
