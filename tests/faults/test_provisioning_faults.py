"""Provisioning and campaign launches under faults, with real processes: a worker killed in the
middle of a poll, Redis stopped while campaigns launch, a carrier failing 30 % of its calls, two
beat schedulers by mistake, and the web server killed in the middle of a burst of launches."""

import concurrent.futures

import psycopg
import requests
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, CampaignStatus, CampaignTransition
from notifications.models import OutboxEmail, OutboxStatus
from phone_numbers.models import PhoneNumber, ProvisioningStatus
from provisioning.carriers.simulated_state import SimulatedSubmission
from provisioning.transitions import LEASE
from tests.faults.conftest import Stack, _database_url
from tests.faults.launching import (
    assert_provisioned_once,
    launch,
    single_use_drafts,
    statuses,
    wait_settled,
)
from tests.waiting import wait_for

# A worker or beat started after a fault runs this far ahead: the leases of interrupted work
# (a claimed poll, a lost submit) have run out for it.
AFTER_LEASE = LEASE.total_seconds() + 5


def test_a_worker_killed_in_the_middle_of_a_poll_leaves_nothing_stuck(cast, stack: Stack):
    stack.worker("w1")
    stack.beat("b1")
    campaigns = single_use_drafts(cast, ["415", "212", "646", "999"])
    assert all(launch(cast, c) == 302 for c in campaigns)
    numbers = PhoneNumber.objects.filter(campaigns__in=campaigns)

    wait_for(
        lambda: numbers.filter(provisioning_status=ProvisioningStatus.INITIATED).count() == 4,
        timeout=30,
        what="every number submitted",
    )
    # Hold the carrier's submissions table: the next poll claims its numbers (committed) and
    # then waits inside its carrier call — where the worker is killed.
    with psycopg.connect(_database_url(), autocommit=False) as blocker:
        blocker.execute("LOCK TABLE provisioning_simulatedsubmission IN ACCESS EXCLUSIVE MODE")
        wait_for(
            lambda: blocker.execute(
                "SELECT 1 FROM pg_locks WHERE NOT granted"
                " AND relation = 'provisioning_simulatedsubmission'::regclass"
            ).fetchone(),
            timeout=30,
            what="a poll waiting on the carrier",
        )
        leased = numbers.filter(poll_leased_until__gt=timezone.now() + LEASE / 2).count()
        assert leased, "the blocked poll has claimed its numbers"
        stack.kill(stack.processes[0])
        blocker.rollback()

    stack.worker("w2", ahead=AFTER_LEASE)
    wait_settled(campaigns, timeout=60)
    by_area = {c.area_codes[0]: c.pk for c in campaigns}
    final = statuses(campaigns)
    assert final[by_area["999"]] == CampaignStatus.DRAFT  # the carrier refuses 999
    for code in ("415", "212", "646"):
        assert final[by_area[code]] == CampaignStatus.ACTIVE, (code, stack.log("w2")[-3000:])
    # A kill did not cost an attempt, and no number was submitted twice.
    for code in ("415", "212", "646"):
        number = PhoneNumber.objects.get(campaigns__pk=by_area[code])
        assert number.attempts == 1
        assert (
            SimulatedSubmission.objects.filter(carrier_number_id=number.carrier_number_id).count()
            == 1
        )


def test_redis_stopped_while_campaigns_launch_then_work_resumes_by_itself(cast, stack: Stack):
    # Worker and beat come after the outage's lease, as a sweep would after the real wait.
    stack.worker("w1", ahead=AFTER_LEASE)
    stack.beat("b1", ahead=AFTER_LEASE)
    campaigns = single_use_drafts(cast, ["415", "212", "646"])
    stack.redis.stop()

    for campaign in campaigns:
        assert launch(cast, campaign) == 302  # the web answers; the launch is saved
    assert set(statuses(campaigns).values()) == {CampaignStatus.LAUNCHING}
    assert cast.client("alice").get(reverse("campaigns:drafts")).status_code == 200

    stack.redis.start()
    wait_settled(campaigns, timeout=60)
    assert_provisioned_once(campaigns)


def test_a_carrier_failing_a_third_of_its_calls_costs_no_attempt_and_buys_nothing_twice(
    cast, stack: Stack
):
    errors = {"SIMULATED_CARRIER_ERROR_RATE": "0.3", "SIMULATED_CARRIER_LATENCY": "0-1"}
    stack.worker("w1", env=errors)
    stack.beat("b1", env=errors)
    campaigns = single_use_drafts(cast, ["415", "212", "646", "617", "718"] * 2)
    for campaign in campaigns:
        assert launch(cast, campaign) == 302
    # Usually half a minute; a number whose carrier calls fail several times in a row waits
    # out the submit's doubling backoff (1, 2, 4, 8… s), hence the long limit.
    wait_settled(campaigns, timeout=180)
    assert_provisioned_once(campaigns)
    assert "503 Service Unavailable" in stack.log("w1") or "429" in stack.log("w1")


def test_two_beat_schedulers_by_mistake_do_nothing_twice(cast, relay, stack: Stack):
    stack.worker("w1")
    stack.beat("b1")
    stack.beat("b2")
    campaigns = single_use_drafts(cast, ["415", "212", "646"])
    for campaign in campaigns:
        assert launch(cast, campaign) == 302
    wait_settled(campaigns, timeout=60)
    assert_provisioned_once(campaigns)
    wait_for(
        lambda: (
            stack.log("b1").count("deliver_pending") >= 2
            and stack.log("b2").count("deliver_pending") >= 2
        ),
        timeout=30,
        what="both beats sweeping",
    )
    # Each e-mail of the launches went out once.
    wait_for(
        lambda: not OutboxEmail.objects.filter(status=OutboxStatus.PENDING).exists(),
        timeout=30,
        what="the e-mails sent",
    )
    assert relay.received
    assert len(relay.received) == len(set(relay.received))
    assert len(relay.received) == OutboxEmail.objects.filter(status=OutboxStatus.SENT).count()


def test_the_web_killed_in_a_burst_of_launches_leaves_no_half_launched_campaign(cast, stack: Stack):
    web, base = stack.web()
    campaigns = single_use_drafts(cast, ["415", "212", "646", "617"] * 5)
    session = requests.Session()
    cast.client("alice")  # signs in
    session.cookies.set("sessionid", cast.clients["alice"].cookies["sessionid"].value)
    page = session.get(f"{base}{reverse('campaigns:drafts')}", timeout=10)
    assert page.status_code == 200
    token = session.cookies["csrftoken"]
    assert token

    def post(campaign: Campaign) -> int | str:
        try:
            url = f"{base}{reverse('campaigns:launch', args=[campaign.pk])}"
            return session.post(
                url,
                headers={"X-CSRFToken": token, "Referer": base},
                allow_redirects=False,
                timeout=10,
            ).status_code
        except requests.RequestException as exc:
            return type(exc).__name__

    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        answers = [pool.submit(post, c) for c in campaigns]
        wait_for(
            lambda: Campaign.objects.filter(
                pk__in=[c.pk for c in campaigns], status=CampaignStatus.LAUNCHING
            ).exists(),
            timeout=30,
            what="a first launch committed",
        )
        stack.kill(web)
        results = [a.result() for a in answers]
    connection.close()

    launched = 0
    for campaign in Campaign.objects.filter(pk__in=[c.pk for c in campaigns]):
        if campaign.status == CampaignStatus.DRAFT:
            assert campaign.phone_number is None
        else:
            launched += 1
            assert campaign.phone_number is not None
            assert campaign.status == CampaignStatus.LAUNCHING
            assert campaign.phone_number.provisioning_status == ProvisioningStatus.REQUESTED
            assert (
                CampaignTransition.objects.filter(
                    campaign=campaign, to_status=CampaignStatus.LAUNCHING
                ).count()
                == 1
            )
    assert launched >= 1, results
    # None stuck: a worker and beat started after the lost submits' lease finish them.
    stack.worker("w1", ahead=AFTER_LEASE)
    stack.beat("b1", ahead=AFTER_LEASE)
    wait_settled(campaigns, timeout=60)
