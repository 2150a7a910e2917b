"""Journey: an admin sets the organization's time zone on Organization settings, then gives a
campaign a start date, typed and shown back in that zone."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from campaigns.tests.factories import CampaignFactory
from offices.models import Role
from offices.tests.factories import MembershipFactory
from tests.browser import check_page, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_admin_sets_the_time_zone_and_the_start_date_follows_it(live_server, page: Page) -> None:
    alice = MembershipFactory.create(
        role=Role.ADMIN, organization__name="Acme College", user__email="alice@acme.test"
    )
    campaign = CampaignFactory.create(organization=alice.organization, name="Open day")

    sign_in(page, live_server.url, "alice@acme.test", "correct-horse-battery")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Organization settings")).to_be_visible()
    expect(page.get_by_label("Time zone")).to_have_value("America/New_York")
    page.get_by_label("Time zone").select_option("America/Chicago")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved. Times are shown in America/Chicago.")).to_be_visible()
    expect(page.get_by_test_id("zone-now")).to_contain_text(
        re.compile(r"C[DS]T in America/Chicago")
    )
    check_page(page)
    screenshot(page, "organization-settings")

    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/edit/")
    expect(
        page.get_by_text(re.compile(r"Times are in America/Chicago \(C[DS]T\)\."))
    ).to_be_visible()
    page.get_by_label("Start date").fill("2026-12-01T09:30")
    page.get_by_role("button", name="Save campaign").click()

    expect(page.get_by_text("Dec 1, 2026, 9:30 AM CST")).to_be_visible()
    campaign.refresh_from_db()
    assert campaign.start_at == datetime(2026, 12, 1, 15, 30, tzinfo=UTC)
