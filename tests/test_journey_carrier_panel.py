"""Journey: a single-use launch, watched carrier by carrier. A real worker and beat poll the
simulated carrier; the campaign's number card shows AT&T, T-Mobile and Verizon turn green one
by one, and the campaign goes active when the last one approves."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from campaigns.models import Campaign
from campaigns.tests.factories import CampaignFactory, ContactFactory, UseCaseFactory
from offices.models import Role
from offices.tests.factories import MembershipFactory, OfficeFactory
from provisioning.carriers.simulated_state import SimulatedSubmission
from tests.browser import confirm, screenshot, sign_in
from tests.waiting import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("celery_worker", "beat")]

# Seconds between one carrier's approval and the next: longer than the poller's interval at
# this age (the ladder 1, 2, 4, 8 s) plus the card's 2 s refresh, so each step is seen alone.
GAP = 10


def _space_the_carriers(submission: SimulatedSubmission) -> None:
    """Scripts the simulator's scenario (research/carriers.md §7.4): T-Mobile approves first,
    then Verizon, then AT&T, GAP seconds apart, counted from now. Its own latencies are drawn
    at random within the range and may fall closer together than the page can show."""
    elapsed = (timezone.now() - submission.submitted_at).total_seconds()
    order = {"tmobile": 4, "verizon": 4 + GAP, "att": 4 + 2 * GAP}
    submission.carriers = [
        {**c, "after": elapsed + order[c["carrier"]], "approved": True, "reason": ""}
        for c in submission.carriers
    ]
    submission.decide_at = submission.submitted_at + timedelta(
        seconds=max(c["after"] for c in submission.carriers)
    )
    submission.save(update_fields=["carriers", "decide_at"])


def test_the_three_carriers_turn_green_one_by_one_and_the_campaign_goes_active(
    live_server, page: Page, settings
):
    # Nobody decides on their own within the test: the scenario below spaces the decisions.
    settings.SIMULATED_CARRIER_LATENCY = "600-600"
    settings.PROVISIONING_POLL_SECONDS = 1
    alice = MembershipFactory.create(
        role=Role.ADMIN, organization__name="Acme College", user__email="alice@acme.test"
    )
    office = OfficeFactory.create(organization=alice.organization, name="Admissions")
    UseCaseFactory.create(organization=alice.organization, name="Student outreach")
    campaign = CampaignFactory.create(
        organization=alice.organization,
        office=office,
        single_use=True,
        area_codes=["415"],
        name="Night owls",
    )
    ContactFactory.create_batch(3, campaign=campaign)

    sign_in(page, live_server.url, "alice@acme.test", "correct-horse-battery")
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/")
    confirm(page, "Launch")
    expect(page.get_by_text("“Night owls” is launching")).to_be_visible()

    wait_for(SimulatedSubmission.objects.exists, what="the number's submission")
    _space_the_carriers(SimulatedSubmission.objects.get())

    panel = page.get_by_test_id("carrier-panel")
    att, tmobile, verizon = (
        panel.locator(f'tr[data-carrier="{name}"] [data-state]')
        for name in ("AT&T", "T-Mobile", "Verizon")
    )
    expect(panel.locator("tr[data-carrier]")).to_have_count(3)
    expect(panel.locator('[data-state="pending"]')).to_have_count(3)
    screenshot(page, "carrier-panel-all-pending")

    expect(tmobile).to_have_attribute("data-state", "approved", timeout=20_000)
    expect(verizon).to_have_attribute("data-state", "pending")
    expect(att).to_have_attribute("data-state", "pending")
    expect(tmobile).to_have_text("Approved")
    screenshot(page, "carrier-panel-tmobile-approved")

    expect(verizon).to_have_attribute("data-state", "approved", timeout=20_000)
    expect(att).to_have_attribute("data-state", "pending")
    expect(page.locator("[data-flag=launching]")).to_have_text("Launching")

    expect(page.locator("[data-campaign-status=active]")).to_be_visible(timeout=30_000)
    expect(panel.locator('[data-state="approved"]')).to_have_count(3)
    expect(page.locator("#number-card .number-line .tag")).to_have_text("Provisioning complete")
    screenshot(page, "carrier-panel-all-approved")
    assert Campaign.objects.get().status == "active"
