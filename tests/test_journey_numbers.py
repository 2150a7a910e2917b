"""Journey: an admin opens Phone Numbers, finds a number by search, sorts, filters, and
downloads the CSV of exactly what the page shows."""

import csv

import pytest
from playwright.sync_api import Page, expect

from inboxes.tests.factories import InboxFactory
from offices.models import Role
from offices.tests.factories import MembershipFactory, OfficeFactory
from phone_numbers.models import Kind, ResponseType
from phone_numbers.tests.factories import PhoneNumberFactory, ReusableNumberFactory, campaign_on
from tests.browser import check_page, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_admin_finds_sorts_filters_and_exports_phone_numbers(live_server, page: Page) -> None:
    admin = MembershipFactory.create(
        role=Role.ADMIN, organization__name="Acme College", user__email="alice@acme.test"
    )
    org = admin.organization
    admissions = OfficeFactory.create(organization=org, name="Admissions")
    aid = OfficeFactory.create(organization=org, name="Financial Aid")
    visits = ReusableNumberFactory.create(
        office=admissions,
        e164="+16175550101",
        name="Campus visits",
        description="Tour day questions",
        agent="Dana Diaz",
        inboxes=[InboxFactory.create(office=admissions, name="Front desk")],
    )
    campaign_on(visits, name="Fall open house")
    ReusableNumberFactory.create(
        office=aid,
        e164="+16175550102",
        name="FAFSA help",
        description="=1+1 reminders",
        response_type=ResponseType.BOT,
    )
    PhoneNumberFactory.create(organization=org, e164="+16175550103", name="Main line")
    PhoneNumberFactory.create(
        organization=org, e164="+16175550104", name="Spring blast", kind=Kind.SINGLE_USE
    )

    sign_in(page, live_server.url, "alice@acme.test", "correct-horse-battery")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Phone Numbers").click()
    expect(page.get_by_role("heading", name="Phone Numbers")).to_be_visible()
    rows = page.locator("table.numbers tbody tr")
    expect(rows).to_have_count(4)
    visits_row = rows.filter(has_text="Campus visits")
    expect(visits_row.get_by_role("link", name="Fall open house")).to_be_visible()
    expect(visits_row.locator(".tag-green")).to_have_text("Provisioning complete")
    check_page(page)
    screenshot(page, "numbers-list")

    page.get_by_label("Search").fill("tour day")
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("(617) 555-0101")

    page.get_by_role("link", name="Clear").click()
    page.get_by_role("link", name="Name", exact=True).click()
    expect(rows.first).to_contain_text("Campus visits")
    page.get_by_role("link", name="Name ▲").click()
    expect(rows.first).to_contain_text("Spring blast")

    page.get_by_label("Kind").select_option(label="Reusable")
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("FAFSA help")
    expect(page.get_by_role("link", name="Name ▼")).to_be_visible()
    check_page(page)
    screenshot(page, "numbers-list-filtered")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), newline="") as file:
        exported = list(csv.DictReader(file))
    assert [row["number"] for row in exported] == ["+16175550102", "+16175550101"]
    assert exported[0]["description"] == "'=1+1 reminders"
    assert exported[0]["response_type"] == "bot"
    assert exported[1]["inboxes"] == "Front desk"
    assert (exported[1]["usage"], exported[1]["campaign"]) == ("in_use", "Fall open house")

    # The usage and office columns sort like the rest: click once, click again to reverse.
    page.get_by_role("link", name="Clear").click()
    expect(rows).to_have_count(4)
    page.get_by_role("link", name="Usage", exact=True).click()
    expect(rows.last).to_contain_text("Fall open house")
    page.get_by_role("link", name="Usage ▲").click()
    expect(rows.first).to_contain_text("Fall open house")
    expect(rows.first.locator(".usage")).to_contain_text("In Use")
    expect(rows.nth(1).locator(".usage")).to_have_text("Available")
    check_page(page)
    screenshot(page, "numbers-list-by-usage")
    page.get_by_role("link", name="Office", exact=True).click()
    expect(rows.nth(2)).to_contain_text("Admissions")
    expect(rows.nth(3)).to_contain_text("Financial Aid")
    page.get_by_role("link", name="Office ▲").click()
    expect(rows.first).to_contain_text("Financial Aid")
    expect(rows.nth(1)).to_contain_text("Admissions")
