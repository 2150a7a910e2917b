"""Journey: someone who forgot their password asks for a link on the sign-in page, follows the
link from the e-mail, chooses a new password and signs in with it."""

import re

import pytest
from playwright.sync_api import Page, expect

from notifications.models import OutboxEmail
from offices.models import Role
from offices.tests.factories import MembershipFactory
from tests.browser import check_page, screenshot

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a-long-new-passphrase"


def test_a_person_resets_a_forgotten_password_and_signs_in(live_server, page: Page) -> None:
    MembershipFactory.create(
        role=Role.ADMIN, organization__name="Acme College", user__email="alice@acme.test"
    )

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    check_page(page)
    screenshot(page, "password-reset")
    page.get_by_label("E-mail").fill("Alice@acme.test")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    check_page(page)

    email = OutboxEmail.objects.get(recipient="alice@acme.test")
    match = re.search(r"https?://\S+(/accounts/set-password/\S+/)", email.body_text)
    assert match, email.body_text
    page.goto(f"{live_server.url}{match.group(1)}")
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    check_page(page)
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()

    expect(page.get_by_text("Your password is set. Sign in with it.")).to_be_visible()
    page.get_by_label("E-mail").fill("alice@acme.test")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".org-name")).to_have_text("Acme College")
