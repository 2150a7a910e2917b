"""PhoneNumber.in_use — the Phone Numbers list's Usage column and sort key — is kept by the
database from the campaigns (migration 0003): it follows every way a campaign starts or stops
using a number, and two campaigns on one number changing at once cannot leave it wrong."""

import pytest
from django.utils import timezone

from campaigns.models import Campaign, CampaignStatus
from campaigns.services import campaign_archive, campaign_launch, campaigns_number_finished
from campaigns.tests.factories import CampaignFactory, ContactFactory, PhoneNumberFactory
from phone_numbers.models import PhoneNumber, ProvisioningStatus
from tests.interleave import interleave


def in_use(number: PhoneNumber | None) -> bool:
    assert number is not None
    return PhoneNumber.objects.get(pk=number.pk).in_use


def dedicated_campaign(cast, number: PhoneNumber | None = None, **kwargs) -> Campaign:
    campaign = CampaignFactory.create(
        organization=cast.org,
        office=cast.office_a,
        **({"phone_number": number} if number else {}),
        **kwargs,
    )
    ContactFactory.create(campaign=campaign)
    return campaign


@pytest.mark.django_db
def test_launching_puts_the_number_in_use_and_archiving_frees_it(cast) -> None:
    campaign = dedicated_campaign(cast)
    assert not in_use(campaign.phone_number)

    campaign_launch(campaign=campaign, launched_by=cast.alice)
    assert in_use(campaign.phone_number)

    campaign_archive(campaign=campaign, archived_by=cast.alice)
    assert not in_use(campaign.phone_number)


@pytest.mark.django_db
def test_a_shared_dedicated_number_stays_in_use_while_any_campaign_on_it_is_live(cast) -> None:
    number = PhoneNumberFactory.create(organization=cast.org)
    first = dedicated_campaign(cast, number, active=True)
    second = dedicated_campaign(cast, number, active=True)
    assert in_use(number)

    campaign_archive(campaign=first, archived_by=cast.alice)
    assert in_use(number)
    campaign_archive(campaign=second, archived_by=cast.alice)
    assert not in_use(number)


@pytest.mark.django_db
def test_a_launching_campaign_uses_its_number_until_provisioning_fails(cast) -> None:
    number = PhoneNumberFactory.create(organization=cast.org, provisioning=True)
    campaign = dedicated_campaign(cast, number, status=CampaignStatus.LAUNCHING, single_use=True)
    Campaign.objects.filter(pk=campaign.pk).update(phone_number=number)
    assert in_use(number)

    PhoneNumber.objects.filter(pk=number.pk).update(
        provisioning_status=ProvisioningStatus.FAILED, failure_reason="Rejected by the carriers."
    )
    campaigns_number_finished(phone_numbers=[PhoneNumber.objects.get(pk=number.pk)])

    campaign.refresh_from_db()
    assert (campaign.status, campaign.provisioning_failed) == (CampaignStatus.DRAFT, True)
    assert not in_use(number)


@pytest.mark.django_db
def test_moving_or_deleting_a_live_campaign_moves_or_frees_the_use(cast) -> None:
    campaign = dedicated_campaign(cast, active=True)
    old = campaign.phone_number
    new = PhoneNumberFactory.create(organization=cast.org)

    Campaign.objects.filter(pk=campaign.pk).update(phone_number=new)
    assert (in_use(old), in_use(new)) == (False, True)

    Campaign.objects.filter(pk=campaign.pk).delete()
    assert not in_use(new)


@pytest.mark.django_db
def test_a_stale_number_saved_after_a_launch_does_not_write_available_back(cast) -> None:
    campaign = dedicated_campaign(cast)
    assert campaign.phone_number is not None
    stale = PhoneNumber.objects.get(pk=campaign.phone_number.pk)
    campaign_launch(campaign=campaign, launched_by=cast.alice)

    stale.name = "Front desk"
    stale.save()

    assert in_use(stale)
    assert PhoneNumber.objects.get(pk=stale.pk).name == "Front desk"


@pytest.mark.django_db(transaction=True)
def test_two_campaigns_on_one_number_archived_at_once_leave_it_available(cast) -> None:
    number = PhoneNumberFactory.create(organization=cast.org)
    first = dedicated_campaign(cast, number, active=True)
    second = dedicated_campaign(cast, number, active=True)

    def archive(campaign: Campaign) -> None:
        Campaign.objects.filter(pk=campaign.pk).update(
            status=CampaignStatus.ARCHIVED, archived_at=timezone.now()
        )

    # The first sees the second still live; the second must count after the first commits.
    interleave(lambda: archive(first), lambda: archive(second))

    assert not in_use(number)


@pytest.mark.django_db(transaction=True)
def test_one_campaign_archived_while_another_launches_on_the_number_leaves_it_in_use(
    cast,
) -> None:
    number = PhoneNumberFactory.create(organization=cast.org)
    live = dedicated_campaign(cast, number, active=True)
    draft = dedicated_campaign(cast, number)

    interleave(
        lambda: campaign_launch(campaign=draft, launched_by=cast.alice),
        lambda: campaign_archive(campaign=live, archived_by=cast.alice),
    )

    assert in_use(number)
