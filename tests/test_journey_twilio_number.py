"""Journey: with Twilio as the carrier (Prism serving Twilio's specs, tests/twilio_mock.py), an
admin orders a dedicated number and sees it turn green when Twilio's Event Streams delivers the
number's registration — without reloading the page."""

import pytest
import requests
from playwright.sync_api import Page, expect

from offices.models import Role
from offices.tests.factories import MembershipFactory
from phone_numbers.models import PhoneNumber
from phone_numbers.models import ProvisioningStatus as S
from phone_numbers.tests.factories import UseCaseFactory
from tests.browser import check_page, screenshot, sign_in
from tests.twilio_mock import TwilioFake, registration_event, signed_delivery
from tests.waiting import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("celery_worker")]


def test_admin_orders_a_twilio_number_and_sees_it_registered(
    live_server, page: Page, twilio: TwilioFake
) -> None:
    admin = MembershipFactory.create(
        role=Role.ADMIN, organization__name="Acme College", user__email="alice@acme.test"
    )
    UseCaseFactory.create(organization=admin.organization, name="Student outreach")

    sign_in(page, live_server.url, "alice@acme.test", "correct-horse-battery")
    page.goto(f"{live_server.url}/numbers/new/")
    page.get_by_label("Area code preferences").fill("415")
    page.get_by_role("button", name="Provision Number").click()
    numbers = page.get_by_role("radio")
    expect(numbers).to_have_count(10)
    expect(page.get_by_text("(415) 555-0103")).to_be_visible()
    page.get_by_label("(415) 555-0103").check()
    page.get_by_role("button", name="Add dedicated number").click()

    tag = page.locator("#number-status .tag")
    expect(tag).to_have_text("Provisioning initiated")
    page.evaluate("window.notReloaded = true")
    wait_for(
        lambda: PhoneNumber.objects.filter(provisioning_status=S.INITIATED).exists(),
        what="the worker to buy the number and add it to the sender pool",
    )
    number = PhoneNumber.objects.get()
    assert twilio.pool == {number.carrier_number_id}
    check_page(page)
    screenshot(page, "twilio-number-initiated")

    hook = f"{live_server.url}/hooks/twilio/events/"
    event = registration_event(
        "EV-journey-1",
        "successful",
        sid=number.carrier_number_id,
        e164="+14155550103",
        at="2026-11-30T01:00:00Z",
    )
    body, headers = signed_delivery(hook, [event])
    assert requests.post(hook, data=body, headers=headers, timeout=5).status_code == 200

    expect(tag).to_have_text("Provisioning complete", timeout=20_000)
    expect(tag).to_have_class("tag tag-green")
    expect(page.locator("#number-status .e164")).to_have_text("(415) 555-0103")
    expect(page.locator("table.attempts")).to_contain_text("Approved")
    assert page.evaluate("window.notReloaded") is True
    check_page(page)
    screenshot(page, "twilio-number-complete")
