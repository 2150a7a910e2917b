"""Journey: an admin signs in, creates an office and an inbox in it, and signs out."""

import pytest
from playwright.sync_api import Page, expect

from inboxes.models import Inbox
from offices.models import Office, Role
from offices.tests.factories import MembershipFactory
from tests.browser import check_page, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_admin_creates_an_office_and_an_inbox_then_signs_out(live_server, page: Page) -> None:
    admin = MembershipFactory.create(
        role=Role.ADMIN, organization__name="Acme College", user__email="alice@acme.test"
    )

    sign_in(page, live_server.url, "alice@acme.test", "correct-horse-battery")
    expect(page.locator(".org-name")).to_have_text("Acme College")
    expect(page.locator(".person")).to_contain_text(admin.user.display_name)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Offices").click()
    page.get_by_role("button", name="New office").click()
    page.get_by_role("button", name="Create office").click()
    expect(page.locator("#id_name_errors")).to_have_text("This field is required.")
    check_page(page)
    page.get_by_label("Name").fill("Financial Aid")
    page.get_by_label("Number quota").fill("3")
    page.get_by_label("IDK default").select_option(label="Do not reply")
    page.get_by_role("button", name="Create office").click()
    expect(page.get_by_role("heading", name="Financial Aid")).to_be_visible()
    created = page.get_by_text("Office “Financial Aid” created.")
    expect(created).to_be_visible()
    check_page(page)
    screenshot(page, "office-detail")
    page.get_by_role("button", name="Dismiss this message").click()
    expect(created).to_have_count(0)

    page.get_by_role("link", name="Add inbox").click()
    expect(page.get_by_label("Office")).to_have_value(str(Office.objects.get().pk))
    check_page(page)
    page.get_by_label("Name").fill("FAFSA help")
    page.get_by_role("button", name="Create inbox").click()
    expect(page.get_by_role("heading", name="FAFSA help")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Inboxes").click()
    expect(page.get_by_role("cell", name="FAFSA help")).to_be_visible()
    check_page(page)
    screenshot(page, "inbox-list")
    assert Inbox.objects.get().office.name == "Financial Aid"

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Longcode")).to_be_visible()
    check_page(page)
    page.goto(f"{live_server.url}/offices/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/offices/")
