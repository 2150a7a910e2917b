"""The campaign invite link: a shareable link that makes whoever follows it a sender.

A link's token is derived from a random *nonce* (``secrets.token_urlsafe(32)``: 256 random
bits) and the server's ``SECRET_KEY`` (HMAC-SHA256), and only the token's SHA-256 is stored
beside the nonce. So the admin can copy the link from the campaign page whenever they need it,
while a copy of the database alone opens no campaign (the key is not in it). Regenerating draws
a new nonce: the old link then matches nothing and stops working. A key rotated with Django's
``SECRET_KEY_FALLBACKS`` keeps links working and shown; a link whose key is gone altogether still
opens its campaign (its hash is what is looked up) but can no longer be shown: regenerate it.
"""

import base64
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac

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


def _derive(campaign_id: int, nonce: str, secret: str) -> str:
    digest = salted_hmac(
        "campaigns.invite_link", f"{campaign_id}:{nonce}", secret=secret, algorithm="sha256"
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _new_token(campaign: Campaign) -> str:
    campaign.invite_nonce = secrets.token_urlsafe(32)
    token = _derive(campaign.pk, campaign.invite_nonce, settings.SECRET_KEY)
    campaign.invite_token_hash = invite_token_hash(token)
    return token


def campaign_invite_link_token(*, campaign: Campaign) -> str | None:
    """The token of the campaign's current link, for the admin to copy; None when there is no
    link yet, or its key is no longer among ``SECRET_KEY`` and its fallbacks."""
    if not (campaign.invite_token_hash and campaign.invite_nonce):
        return None
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        token = _derive(campaign.pk, campaign.invite_nonce, secret)
        if secrets.compare_digest(invite_token_hash(token), campaign.invite_token_hash):
            return token
    return None


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
    campaign.save(
        update_fields=["invite_enabled", "invite_token_hash", "invite_nonce", "updated_at"]
    )
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
    campaign.save(
        update_fields=["invite_enabled", "invite_token_hash", "invite_nonce", "updated_at"]
    )
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
