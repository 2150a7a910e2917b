"""The campaign invite link: on, off, regenerated, archived; people of other organizations."""

import hashlib

import pytest

from campaigns.invite_links import (
    InviteLinkArchived,
    InviteLinkDisabled,
    InviteLinkUnknown,
    campaign_invite_link_disable,
    campaign_invite_link_enable,
    campaign_invite_link_regenerate,
    campaign_invite_link_token,
    invite_link_follow,
)
from campaigns.models import Campaign, CampaignSender
from campaigns.services import campaign_archive
from campaigns.tests.factories import CampaignFactory
from notifications.models import OutboxEmail
from offices.models import Membership, Role
from offices.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(cast) -> Campaign:
    return CampaignFactory.create(organization=cast.org, office=cast.office_a, active=True)


def link_on(campaign: Campaign) -> str:
    """Turns the link on for the first time: the one moment its token is shown."""
    token = campaign_invite_link_enable(campaign=campaign)
    assert token is not None
    return token


def is_sender(campaign, user) -> bool:
    return CampaignSender.objects.filter(campaign=campaign, user=user).exists()


def test_the_token_carries_256_random_bits_and_only_its_hash_is_stored(campaign):
    token = link_on(campaign)

    campaign.refresh_from_db()
    assert len(token) >= 43  # token_urlsafe(32): 32 random bytes
    assert campaign.invite_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Campaign.objects.filter(pk=campaign.pk).values().get())


def test_the_link_is_derived_again_for_the_admin_and_a_copy_of_the_database_opens_nothing(
    campaign, settings
):
    token = link_on(campaign)
    campaign.refresh_from_db()

    assert campaign_invite_link_token(campaign=campaign) == token
    settings.SECRET_KEY = "a-leaked-database-without-the-key"
    assert campaign_invite_link_token(campaign=campaign) is None


def test_a_rotated_key_kept_as_a_fallback_keeps_the_link_working_and_shown(
    cast, campaign, settings
):
    token = link_on(campaign)
    campaign.refresh_from_db()
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "the-new-key"

    assert campaign_invite_link_token(campaign=campaign) == token
    invite_link_follow(token=token, user=cast.sam)
    assert is_sender(campaign, cast.sam)


def test_a_link_made_before_links_were_shown_again_works_but_asks_to_regenerate(cast, campaign):
    token = link_on(campaign)
    Campaign.objects.filter(pk=campaign.pk).update(invite_nonce="")
    campaign.refresh_from_db()

    assert campaign_invite_link_token(campaign=campaign) is None
    invite_link_follow(token=token, user=cast.sam)
    assert is_sender(campaign, cast.sam)


def test_a_newcomer_following_an_enabled_link_becomes_a_sender_of_the_organization(cast, campaign):
    token = link_on(campaign)
    newcomer = UserFactory.create(email="new@example.test")

    invite_link_follow(token=token, user=newcomer)
    invite_link_follow(token=token, user=newcomer)

    membership = Membership.objects.get(user=newcomer)
    assert (membership.organization, membership.role) == (cast.org, Role.SENDER)
    assert is_sender(campaign, newcomer)
    # An active campaign e-mails the assignment, once however often the link is followed.
    assert OutboxEmail.objects.filter(recipient="new@example.test").count() == 1


def test_a_person_of_another_organization_joins_this_one_too(cast, campaign):
    token = link_on(campaign)

    invite_link_follow(token=token, user=cast.charlie)

    roles = dict(Membership.objects.filter(user=cast.charlie).values_list("organization", "role"))
    assert roles == {cast.other_org.pk: Role.ADMIN, cast.org.pk: Role.SENDER}
    assert is_sender(campaign, cast.charlie)


def test_a_member_already_in_the_organization_keeps_their_role(cast, campaign):
    token = link_on(campaign)

    invite_link_follow(token=token, user=cast.bob)

    assert Membership.objects.get(user=cast.bob).role == Role.MEMBER
    assert is_sender(campaign, cast.bob)


def test_a_disabled_link_says_so_and_changes_nothing(cast, campaign):
    token = link_on(campaign)
    campaign_invite_link_disable(campaign=campaign)

    with pytest.raises(InviteLinkDisabled, match="turned off"):
        invite_link_follow(token=token, user=cast.charlie)

    assert not is_sender(campaign, cast.charlie)
    assert not Membership.objects.filter(user=cast.charlie, organization=cast.org).exists()


def test_turning_the_link_back_on_revives_the_same_link(cast, campaign):
    token = link_on(campaign)
    campaign_invite_link_disable(campaign=campaign)

    assert campaign_invite_link_enable(campaign=campaign) is None
    invite_link_follow(token=token, user=cast.sam)

    assert is_sender(campaign, cast.sam)


def test_a_regenerated_link_stops_the_old_one(cast, campaign):
    old = link_on(campaign)
    new = campaign_invite_link_regenerate(campaign=campaign)

    with pytest.raises(InviteLinkUnknown, match="replaced by a new one"):
        invite_link_follow(token=old, user=cast.charlie)
    assert not is_sender(campaign, cast.charlie)

    invite_link_follow(token=new, user=cast.charlie)
    assert new != old
    assert is_sender(campaign, cast.charlie)


def test_an_archived_campaigns_link_says_so_and_changes_nothing(cast, campaign):
    token = link_on(campaign)
    campaign_archive(campaign=campaign, archived_by=cast.alice)

    with pytest.raises(InviteLinkArchived, match="no longer takes new senders"):
        invite_link_follow(token=token, user=cast.charlie)

    assert not Membership.objects.filter(user=cast.charlie, organization=cast.org).exists()


def test_a_draft_link_adds_senders_without_an_assignment_email(cast):
    draft = CampaignFactory.create(organization=cast.org, office=cast.office_a)
    token = campaign_invite_link_regenerate(campaign=draft)

    invite_link_follow(token=token, user=cast.charlie)

    assert is_sender(draft, cast.charlie)
    assert not OutboxEmail.objects.filter(recipient=cast.charlie.email).exists()
