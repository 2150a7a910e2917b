"""Journey: an office member sets up a reusable number — their only office is chosen for them,
the inbox list and the IDK note follow the choices without a reload —, watches its tag turn
green, finds it on Phone Numbers by search, exports the list and finds its row in the file."""

import csv

import pytest
from playwright.sync_api import Page, expect

from inboxes.tests.factories import InboxFactory
from offices.models import IdkBehaviour, Role
from offices.tests.factories import MembershipFactory, OfficeFactory
from phone_numbers.models import Kind, PhoneNumber
from phone_numbers.tests.factories import UseCaseFactory
from tests.browser import check_page, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("celery_worker", "beat")]


def test_member_sets_up_a_reusable_number_and_finds_it_in_the_export(
    live_server, page: Page, settings
) -> None:
    settings.SIMULATED_CARRIER_LATENCY = "1-2"
    settings.PROVISIONING_POLL_SECONDS = 1
    member = MembershipFactory.create(
        role=Role.MEMBER, organization__name="Acme College", user__email="bob@acme.test"
    )
    org = member.organization
    aid = OfficeFactory.create(
        organization=org, name="Financial Aid", number_quota=3, idk_default=IdkBehaviour.AGENT
    )
    member.offices.add(aid)
    OfficeFactory.create(organization=org, name="Athletics")
    InboxFactory.create(office=aid, name="FAFSA desk")
    InboxFactory.create(office=aid, name="Scholarships")
    UseCaseFactory.create(organization=org, name="Student outreach")

    sign_in(page, live_server.url, "bob@acme.test", "correct-horse-battery")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Phone Numbers").click()
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("heading", name="Add a phone number")).to_be_visible()
    page.evaluate("window.notReloaded = true")
    expect(page.get_by_label("Number type")).to_have_value("reusable")
    # Bob's only office is chosen for him; nothing warns before he has chosen anything.
    office = page.get_by_label("Campus/Office")
    expect(office.locator("option")).to_have_text(["Choose an office", "Financial Aid"])
    expect(office).to_have_value(str(aid.pk))
    expect(page.locator(".behaviour-note.warning")).to_have_count(0)
    inboxes = page.locator(".inbox-choices input[type=checkbox]")
    expect(inboxes).to_have_count(2)
    expect(page.get_by_text("Financial Aid holds 0 of its 3 reusable numbers.")).to_be_visible()
    page.get_by_label("Bot-backed").check()
    expect(page.locator(".idk-note")).to_contain_text("which a bot-backed number cannot take")
    page.get_by_label("Agent-backed").check()
    expect(page.locator(".behaviour-note.warning")).to_contain_text("will go nowhere")
    page.get_by_label("FAFSA desk").check()
    expect(page.locator(".behaviour-note.warning")).to_have_count(0)
    assert page.evaluate("window.notReloaded") is True

    page.get_by_label("Name", exact=True).fill("FAFSA help")
    page.get_by_label("Description").fill("Reminders for the FAFSA deadline")
    page.get_by_label("Agent", exact=True).fill("Lee Park")
    page.get_by_label("Area code preferences").fill("415")
    page.get_by_role("button", name="Provision Number").click()
    numbers = page.get_by_role("radio", name="(415)")
    expect(numbers).to_have_count(10)
    expect(page.get_by_label("FAFSA desk")).to_be_checked()
    expect(page.get_by_label("Name", exact=True)).to_have_value("FAFSA help")
    assert page.evaluate("window.notReloaded") is True
    check_page(page)
    screenshot(page, "reusable-new-form")
    numbers.nth(1).check()
    page.get_by_role("button", name="Add reusable number").click()

    expect(page.get_by_text("Number ordered. Provisioning has started.")).to_be_visible()
    tag = page.locator("#number-status .tag")
    expect(tag).to_have_text("Provisioning complete", timeout=20_000)
    expect(tag).to_have_class("tag tag-green")
    expect(page.locator(".behaviour-now")).to_contain_text(
        "Default behaviour: Agent-backed → inboxes FAFSA desk"
    )
    check_page(page)
    screenshot(page, "reusable-detail-complete")
    number = PhoneNumber.objects.get()
    assert (number.kind, number.office, number.agent) == (Kind.REUSABLE, aid, "Lee Park")

    page.get_by_role("button", name="Edit").click()
    page.get_by_label("Bot-backed").check()
    expect(page.locator(".idk-note")).to_be_visible()
    check_page(page)
    screenshot(page, "reusable-edit")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".behaviour-now")).to_contain_text("Bot-backed → the bot answers")

    page.get_by_role("link", name="Phone Numbers").first.click()
    page.get_by_label("Search").fill("fafsa")
    page.get_by_role("button", name="Apply").click()
    rows = page.locator("table.numbers tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("FAFSA help")
    expect(rows.first.locator(".tag-green")).to_have_text("Provisioning complete")
    check_page(page)
    screenshot(page, "reusable-in-list")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export CSV").click()
    with open(download_info.value.path(), newline="") as file:
        exported = list(csv.DictReader(file))
    assert [row["number"] for row in exported] == [number.e164]
    assert (exported[0]["name"], exported[0]["office"], exported[0]["agent"]) == (
        "FAFSA help",
        "Financial Aid",
        "Lee Park",
    )
    assert (exported[0]["kind"], exported[0]["response_type"]) == ("reusable", "bot")
    assert exported[0]["inboxes"] == "FAFSA desk"
