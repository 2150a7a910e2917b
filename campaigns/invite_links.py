"""The campaign invite link: a shareable link that makes whoever follows it a sender.

The token is ``secrets.token_urlsafe(32)`` (256 random bits); only its SHA-256 is stored, so
the link is shown to the admin when it is made (turned on the first time, or regenerated) and
a copy of the database opens no campaign. Regenerating replaces the hash: the old link then
matches nothing and stops working.
"""

import hashlib
import secrets

from django.db import transaction

from accounts.models import User
from campaigns.errors import CampaignError
from campaigns.models import Campaign, CampaignSender, CampaignStatus
from campaigns.transitions import campaign_email_assignment
from offices.models import Membership, Role


class InviteLinkError(CampaignError):
    """Following the link changed nothing; the message says why, for the person who followed."""


class InviteLinkUnknown(InviteLinkError):
    pass


class InviteLinkDisabled(InviteLinkError):
    pass


class InviteLinkArchived(InviteLinkError):
    pass


def invite_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(campaign: Campaign) -> str:
    token = secrets.token_urlsafe(32)
    campaign.invite_token_hash = invite_token_hash(token)
    return token


def _locked(campaign: Campaign) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.ARCHIVED:
        raise CampaignError(f"“{campaign.name}” is archived; its invite link no longer changes.")
    return campaign


@transaction.atomic
def campaign_invite_link_enable(*, campaign: Campaign) -> str | None:
    """Turns the link on. Returns the new token when there was none yet, else None (the link
    made earlier works again)."""
    campaign = _locked(campaign)
    token = None if campaign.invite_token_hash else _new_token(campaign)
    campaign.invite_enabled = True
    campaign.save(update_fields=["invite_enabled", "invite_token_hash", "updated_at"])
    return token


@transaction.atomic
def campaign_invite_link_disable(*, campaign: Campaign) -> None:
    campaign = _locked(campaign)
    campaign.invite_enabled = False
    campaign.save(update_fields=["invite_enabled", "updated_at"])


@transaction.atomic
def campaign_invite_link_regenerate(*, campaign: Campaign) -> str:
    """A new link, turned on; the old one stops working."""
    campaign = _locked(campaign)
    token = _new_token(campaign)
    campaign.invite_enabled = True
    campaign.save(update_fields=["invite_enabled", "invite_token_hash", "updated_at"])
    return token


def invite_link_campaign(*, token: str, for_update: bool = False) -> Campaign:
    """The campaign an invite link opens, or the error that says why it opens none."""
    campaigns = Campaign.objects.select_for_update() if for_update else Campaign.objects
    campaign = campaigns.filter(invite_token_hash=invite_token_hash(token)).first()
    if campaign is None:
        raise InviteLinkUnknown(
            "This invite link no longer works: it was replaced by a new one. Ask the person "
            "who sent it for the current link."
        )
    if not campaign.accepts_senders:
        raise InviteLinkArchived(f"“{campaign.name}” is over: it no longer takes new senders.")
    if not campaign.invite_enabled:
        raise InviteLinkDisabled(
            f"The invite link of “{campaign.name}” is turned off. Ask the person who sent it "
            "to turn it on."
        )
    return campaign


@transaction.atomic
def invite_link_follow(*, token: str, user: User) -> CampaignSender:
    """Makes ``user`` a sender of the link's campaign — and of its organization, whichever
    organizations they belong to already. Following twice changes nothing more."""
    campaign = invite_link_campaign(token=token, for_update=True)
    # A person already in the organization keeps their role; a newcomer joins as a sender.
    Membership.objects.get_or_create(
        organization_id=campaign.organization_id, user=user, defaults={"role": Role.SENDER}
    )
    sender, created = CampaignSender.objects.get_or_create(campaign=campaign, user=user)
    if created and campaign.mails_assignment_on_add:
        campaign_email_assignment(campaign, user)
    return sender
