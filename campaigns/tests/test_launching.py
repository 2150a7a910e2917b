"""Single-use launching through the real parts: PostgreSQL, Redis, a Celery worker (with beat
polling the simulated carrier) and SMTP. draft → launching → active, or back to draft."""

import threading
from email.header import decode_header, make_header
from email.message import Message

import pytest
from celery.signals import before_task_publish
from django.db import close_old_connections

from campaigns.errors import CampaignError
from campaigns.models import Campaign, CampaignStatus
from campaigns.services import campaign_archive, campaign_launch, campaigns_number_finished
from campaigns.tests.factories import CampaignFactory, CampaignSenderFactory, ContactFactory
from notifications.models import OutboxEmail, OutboxStatus
from phone_numbers.models import PhoneNumber, ProvisioningStatus
from provisioning.carriers.simulated_state import SimulatedNumber, SimulatedNumberState
from provisioning.tasks import poll_provisioning, submit_number
from tests.waiting import wait_for

pytestmark = pytest.mark.usefixtures("celery_worker", "beat")


@pytest.fixture(autouse=True)
def fast_carrier(settings) -> None:
    settings.SIMULATED_CARRIER_LATENCY = "0-0"
    settings.SIMULATED_CARRIER_ERROR_RATE = 0
    settings.PROVISIONING_POLL_SECONDS = 1
    settings.SITE_URL = "https://longcode.example"


def single_use(cast, *area_codes: str, name: str = "Spring open house") -> Campaign:
    campaign = CampaignFactory.create(
        organization=cast.org,
        office=cast.office_a,
        single_use=True,
        area_codes=list(area_codes),
        name=name,
    )
    ContactFactory.create_batch(3, campaign=campaign)
    CampaignSenderFactory.create(campaign=campaign, user=cast.sam)
    return campaign


def wait_status(campaign: Campaign, status: str, timeout: float = 30) -> Campaign:
    def reached() -> bool:
        campaign.refresh_from_db()
        return campaign.status == status and campaign.phone_number is not None

    wait_for(reached, timeout=timeout, what=f"{campaign} {status}")
    return campaign


def number_of(campaign: Campaign) -> PhoneNumber:
    assert campaign.phone_number is not None
    return campaign.phone_number


def subject(mail: Message) -> str:
    return str(make_header(decode_header(mail["Subject"])))


def text_of(mail: Message) -> str:
    text = next(part for part in mail.walk() if part.get_content_type() == "text/plain")
    payload = text.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def all_sent() -> bool:
    return not OutboxEmail.objects.exclude(status=OutboxStatus.SENT).exists()


def test_single_use_launch_goes_live_when_its_number_is_provisioned(cast, smtp_server):
    campaign = single_use(cast, "415")

    launched = campaign_launch(campaign=campaign, launched_by=cast.alice)

    assert launched.status == CampaignStatus.LAUNCHING
    assert number_of(launched).kind == "single_use"
    assert number_of(launched).requested_by == cast.alice
    campaign = wait_status(campaign, CampaignStatus.ACTIVE)
    number = number_of(campaign)
    assert number.provisioning_status == ProvisioningStatus.COMPLETE
    assert (number.e164 or "").startswith("+1415")
    steps = [(t.from_status, t.to_status, t.by) for t in campaign.transitions.all()]
    assert steps == [("draft", "launching", cast.alice), ("launching", "active", None)]
    wait_for(lambda: len(smtp_server.messages) == 3 and all_sent(), what="three e-mails")
    assert sorted(subject(m) for m in smtp_server.to("alice@acme.test")) == [
        "Your campaign “Spring open house” is live: provisioning complete",
        "“Spring open house” is launching: provisioning has started",
    ]
    [assignment] = smtp_server.to("sam@acme.test")
    assert subject(assignment) == "Your assignment: Spring open house"


def test_area_code_999_fails_five_times_and_returns_the_campaign_to_draft(cast, smtp_server):
    campaign = single_use(cast, "999")

    campaign_launch(campaign=campaign, launched_by=cast.alice)

    campaign = wait_status(campaign, CampaignStatus.DRAFT, timeout=60)
    number = number_of(campaign)
    assert campaign.provisioning_failed
    assert number.provisioning_status == ProvisioningStatus.FAILED
    assert number.attempts == 5
    last = campaign.transitions.order_by("at", "id").last()
    assert last is not None
    assert (last.from_status, last.to_status, last.by) == ("launching", "draft", None)
    assert last.reason == number.failure_reason  # "Provisioning failed after 5 attempts. …"
    wait_for(lambda: len(smtp_server.to("alice@acme.test")) == 2, what="the failure e-mail")
    failed = next(m for m in smtp_server.to("alice@acme.test") if "failed" in subject(m))
    assert subject(failed) == "Provisioning failed for “Spring open house”"
    body = text_of(failed)
    assert number.failure_reason in body
    assert f"https://longcode.example/campaigns/{campaign.pk}/clone/" in body
    assert smtp_server.to("sam@acme.test") == []  # no assignment for a campaign never live
    with pytest.raises(CampaignError, match="cannot be launched again"):
        campaign_launch(campaign=campaign, launched_by=cast.alice)


def test_flaky_998_is_rejected_twice_then_goes_live(cast):
    campaign = single_use(cast, "998")

    campaign_launch(campaign=campaign, launched_by=cast.alice)

    campaign = wait_status(campaign, CampaignStatus.ACTIVE)
    assert number_of(campaign).attempts == 3
    assert not campaign.provisioning_failed


def test_two_launches_at_once_order_one_number(cast):
    campaign = single_use(cast, "415")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def launch() -> None:
        barrier.wait()
        try:
            campaign_launch(campaign=campaign, launched_by=cast.alice)
            outcomes.append("launched")
        except CampaignError as error:
            outcomes.append(error.message)
        finally:
            close_old_connections()

    tabs = [threading.Thread(target=launch) for _ in range(2)]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join()

    assert sorted(outcomes) == ["launched", "“Spring open house” is already launching."]
    assert PhoneNumber.objects.filter(organization=cast.org).count() == 1
    assert OutboxEmail.objects.filter(event=f"campaign:{campaign.pk}:launching").count() == 1
    wait_status(campaign, CampaignStatus.ACTIVE)


def test_each_email_once_even_when_the_tasks_run_twice(cast, smtp_server):
    campaign = single_use(cast, "415")
    campaign_launch(campaign=campaign, launched_by=cast.alice)
    campaign = wait_status(campaign, CampaignStatus.ACTIVE)
    wait_for(lambda: len(smtp_server.messages) == 3 and all_sent(), what="three e-mails")

    number = number_of(campaign)
    submit_number.delay(number.pk)
    poll_provisioning.delay()
    poll_provisioning.delay()
    assert campaigns_number_finished(phone_numbers=[number]) == []  # a repeated hook: no-op
    marker = single_use(cast, "212", name="Marker")  # runs after the duplicates (solo worker)
    campaign_launch(campaign=marker, launched_by=cast.alice)
    wait_status(marker, CampaignStatus.ACTIVE)
    wait_for(lambda: len(smtp_server.messages) == 6 and all_sent(), what="the marker's e-mails")

    assert len([m for m in smtp_server.messages if "Spring open house" in subject(m)]) == 3
    assert OutboxEmail.objects.filter(event__startswith=f"campaign:{campaign.pk}:").count() == 3
    assert campaign.transitions.filter(to_status=CampaignStatus.ACTIVE).count() == 1


def test_archiving_releases_the_single_use_number_once(cast):
    released: list[str] = []

    def count(sender: str | None = None, body: object = None, **kwargs: object) -> None:
        if sender == "provisioning.tasks.release_carrier_number":
            released.append(str(body))

    before_task_publish.connect(count, weak=False, dispatch_uid="count-releases")
    try:
        campaign = single_use(cast, "415")
        campaign_launch(campaign=campaign, launched_by=cast.alice)
        with pytest.raises(CampaignError, match="is launching: its number is still being"):
            campaign_archive(campaign=campaign, archived_by=cast.alice)
        campaign = wait_status(campaign, CampaignStatus.ACTIVE)
        number = number_of(campaign)

        campaign_archive(campaign=campaign, archived_by=cast.alice)
        with pytest.raises(CampaignError, match="already archived"):
            campaign_archive(campaign=campaign, archived_by=cast.alice)

        number.refresh_from_db()
        assert number.provisioning_status == ProvisioningStatus.RELEASED
        wait_for(
            lambda: (
                SimulatedNumber.objects.get(e164=number.e164).state == SimulatedNumberState.RELEASED
            ),
            what="the carrier's number released",
        )
        assert len(released) == 1
        assert number.carrier_number_id in released[0]
    finally:
        before_task_publish.disconnect(dispatch_uid="count-releases")
