"""Journey: an admin adds a dedicated number and watches its tag turn green, then sees a
number in a failing area code turn red with the reason — without reloading the page."""

import pytest
from playwright.sync_api import Page, expect

from offices.models import Role
from offices.tests.factories import MembershipFactory
from phone_numbers.display import phone_readable
from phone_numbers.models import PhoneNumber
from phone_numbers.tests.factories import UseCaseFactory
from tests.browser import check_page, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("celery_worker", "beat")]


def test_admin_adds_a_dedicated_number_and_watches_it_turn_green(
    live_server, page: Page, settings
) -> None:
    settings.SIMULATED_CARRIER_LATENCY = "1-2"
    settings.PROVISIONING_POLL_SECONDS = 1
    settings.PROVISIONING_MAX_ATTEMPTS = 2
    admin = MembershipFactory.create(
        role=Role.ADMIN, organization__name="Acme College", user__email="alice@acme.test"
    )
    UseCaseFactory.create(organization=admin.organization, name="Student outreach")

    sign_in(page, live_server.url, "alice@acme.test", "correct-horse-battery")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Phone Numbers").click()
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("heading", name="Add a phone number")).to_be_visible()
    page.evaluate("window.notReloaded = true")

    page.get_by_role("button", name="Provision Number").click()
    expect(page.locator("#id_area_codes_errors")).to_have_text("Enter at least one area code.")
    page.get_by_label("Area code preferences").fill("000, 415")
    page.get_by_role("button", name="Provision Number").click()
    expect(
        page.get_by_text("Nothing is available in 000; showing the next preference.")
    ).to_be_visible()
    numbers = page.get_by_role("radio")
    expect(numbers).to_have_count(10)
    assert page.evaluate("window.notReloaded") is True
    check_page(page)
    screenshot(page, "number-new-available")

    picked = numbers.nth(2).get_attribute("value")
    numbers.nth(2).check()
    page.get_by_role("button", name="Add dedicated number").click()

    expect(page.get_by_text("Number ordered. Provisioning has started.")).to_be_visible()
    tag = page.locator("#number-status .tag")
    expect(tag).to_have_text("Provisioning initiated")
    page.evaluate("window.notReloaded = true")
    check_page(page)
    screenshot(page, "number-detail-initiated")
    expect(tag).to_have_text("Provisioning complete", timeout=20_000)
    expect(tag).to_have_class("tag tag-green")
    # The flash of the order no longer matches the page: it goes.
    expect(page.get_by_text("Number ordered. Provisioning has started.")).to_have_count(0)
    expect(page.locator("#number-status .e164")).to_have_text(phone_readable(picked))
    expect(page.locator("table.attempts tbody tr")).to_have_count(1)
    expect(page.locator("table.attempts")).to_contain_text("Approved")
    assert page.evaluate("window.notReloaded") is True
    check_page(page)
    screenshot(page, "number-detail-complete")
    assert PhoneNumber.objects.get().e164 == picked

    page.goto(f"{live_server.url}/numbers/new/")
    page.get_by_label("Area code preferences").fill("999")
    page.get_by_role("button", name="Provision Number").click()
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Add dedicated number").click()
    tag = page.locator("#number-status .tag")
    expect(tag).to_have_text("Provisioning failed", timeout=30_000)
    expect(page.locator(".failure-reason")).to_contain_text("Provisioning failed after 2 attempts")
    expect(page.locator("table.attempts tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("next-step")).to_contain_text("Add a new number")
    expect(page.get_by_role("button", name="Add a new dedicated number")).to_be_visible()
    check_page(page)
    screenshot(page, "number-detail-failed")
