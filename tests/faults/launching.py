"""Launching single-use campaigns the way a person does (a POST to the launch URL), and reading
back what provisioning made of them."""

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, CampaignStatus
from campaigns.tests.factories import CampaignFactory, ContactFactory
from phone_numbers.models import PhoneNumber, ProvisioningStatus
from provisioning.carriers.simulated_state import SimulatedNumber, SimulatedNumberState
from tests.waiting import wait_for


def single_use_drafts(cast, area_codes: list[str]) -> list[Campaign]:
    campaigns = []
    for area_code in area_codes:
        campaign = CampaignFactory.create(
            organization=cast.org, office=cast.office_a, single_use=True, area_codes=[area_code]
        )
        ContactFactory.create(campaign=campaign)
        campaigns.append(campaign)
    return campaigns


def launch(cast, campaign: Campaign) -> int:
    return cast.client("alice").post(reverse("campaigns:launch", args=[campaign.pk])).status_code


def all_settled(campaigns: list[Campaign]) -> bool:
    """True once no campaign waits on its number any more."""
    ids = [c.pk for c in campaigns]
    return not Campaign.objects.filter(pk__in=ids, status=CampaignStatus.LAUNCHING).exists()


def wait_settled(campaigns: list[Campaign], *, timeout: float) -> None:
    """Waits until no campaign waits on its number; on a timeout, says where each one stands."""
    try:
        wait_for(lambda: all_settled(campaigns), timeout=timeout, what="every campaign settled")
    except AssertionError as timed_out:
        waiting = PhoneNumber.objects.filter(
            campaigns__in=campaigns, campaigns__status=CampaignStatus.LAUNCHING
        ).values_list("pk", "provisioning_status", "attempts", "next_poll_at", "carrier_number_id")
        raise AssertionError(
            f"{timed_out}; still launching at {timezone.now()}: {list(waiting)}"
        ) from None


def statuses(campaigns: list[Campaign]) -> dict[int, str]:
    return dict(
        Campaign.objects.filter(pk__in=[c.pk for c in campaigns]).values_list("pk", "status")
    )


def assert_provisioned_once(campaigns: list[Campaign]) -> None:
    """Every campaign active on a complete number that took one attempt, and the carrier sold
    exactly one number per campaign (none bought twice, none bought and given back)."""
    for campaign in Campaign.objects.filter(pk__in=[c.pk for c in campaigns]):
        assert campaign.status == CampaignStatus.ACTIVE, campaign
        number = campaign.phone_number
        assert number is not None
        assert number.provisioning_status == ProvisioningStatus.COMPLETE, number
        assert number.attempts == 1, (number, number.attempts)
    sold = SimulatedNumber.objects.exclude(state=SimulatedNumberState.AVAILABLE)
    assert sold.count() == len(campaigns), list(sold.values_list("e164", "state"))
    assert not sold.filter(state=SimulatedNumberState.RELEASED).exists()
    connection.close()  # the next wait reads afresh
