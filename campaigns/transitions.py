"""The campaign state machine: the allowed transitions, written once, and the one service that
moves a campaign along them (lock, check, save, timeline row, outbox e-mails — one transaction).
"""

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.urls import reverse

from accounts.models import User
from campaigns.errors import CampaignError
from campaigns.models import Campaign, CampaignStatus, CampaignTransition
from notifications.services import notification_enqueue
from phone_numbers.models import PhoneNumber

DRAFT, LAUNCHING, ACTIVE, ARCHIVED = (
    CampaignStatus.DRAFT,
    CampaignStatus.LAUNCHING,
    CampaignStatus.ACTIVE,
    CampaignStatus.ARCHIVED,
)

# (from, to) → what the step is called in refusals.
TRANSITIONS: dict[tuple[str, str], str] = {
    (DRAFT, LAUNCHING): "launched",  # single-use: its number is ordered
    (DRAFT, ACTIVE): "launched",  # dedicated, reusable, follow-up: straight to active
    (LAUNCHING, ACTIVE): "activated",  # its number completed provisioning
    (LAUNCHING, DRAFT): "returned to draft",  # its number failed provisioning
    (DRAFT, ARCHIVED): "archived",
    (ACTIVE, ARCHIVED): "archived",
}


def campaign_transition(
    *,
    campaign: Campaign,
    to: CampaignStatus,
    by: User | None,
    reason: str = "",
    changes: dict[str, Any] | None = None,
) -> Campaign:
    """Moves ``campaign`` to ``to`` and returns the locked, updated row.

    Also sets ``changes`` (other fields of the same step) and writes the timeline row and the
    transition's e-mails in the same transaction. Refuses a step the table does not allow,
    which is also what makes a repeated launch a no-op with a clear message.
    """
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        from_status = CampaignStatus(locked.status)
        if (from_status, to) not in TRANSITIONS:
            raise CampaignError(_refusal(locked, to))
        locked.status = to
        for name, value in (changes or {}).items():
            setattr(locked, name, value)
        locked.save(update_fields=["status", "updated_at", *(changes or {})])
        CampaignTransition.objects.create(
            campaign=locked, from_status=from_status, to_status=to, by=by, reason=reason
        )
        for send in TRANSITION_EMAILS.get((from_status, to), ()):
            send(locked)
    return locked


def campaign_timeline_start(campaign: Campaign, *, by: User, reason: str) -> CampaignTransition:
    """The first timeline row of a new draft (created, cloned or a follow-up)."""
    return CampaignTransition.objects.create(
        campaign=campaign, to_status=CampaignStatus.DRAFT, by=by, reason=reason
    )


def campaign_actions(campaign: Campaign) -> frozenset[str]:
    """The buttons a campaign's page offers in its state."""
    status = campaign.status
    if campaign.provisioning_failed:
        # It must be cloned to start over; archiving takes it off the Drafts index.
        return frozenset({"clone", "archive"} if (status, ARCHIVED) in TRANSITIONS else {"clone"})
    actions = {"clone"}
    if status != ARCHIVED:
        actions.add("edit")
    if (status, ARCHIVED) in TRANSITIONS:
        actions.add("archive")
    can_launch = (status, ACTIVE) in TRANSITIONS or (status, LAUNCHING) in TRANSITIONS
    if status == DRAFT and can_launch:
        actions.add("launch")
    number = campaign.phone_number
    if status in (ACTIVE, ARCHIVED) and number is not None and number.is_usable:
        actions.add("follow_up")
    if campaign.accepts_senders:
        actions.add("senders")
    return frozenset(actions)


def _refusal(campaign: Campaign, to: str) -> str:
    if campaign.status == to:
        return f"“{campaign.name}” is already {campaign.get_status_display().lower()}."
    verb = next((v for (_, t), v in TRANSITIONS.items() if t == to), to)
    return (
        f"“{campaign.name}” is {campaign.get_status_display().lower()}; "
        f"it cannot be {verb} from there."
    )


def _email_launcher(campaign: Campaign, event: str, **context: object) -> None:
    """The person who launched the campaign hears about it (once per event, ever)."""
    launcher = campaign.launched_by
    if launcher is None:
        return
    notification_enqueue(
        event=f"campaign:{campaign.pk}:{event}",
        recipient=launcher.email,
        template=f"campaigns/{event}",
        context={
            "campaign": campaign,
            "person": launcher,
            "path": _detail_path(campaign),
            **context,
        },
        time_zone=campaign.organization.time_zone,
    )


def campaign_email_live(campaign: Campaign) -> None:
    """The launcher hears that the campaign is live."""
    _email_launcher(campaign, "active")


def campaign_email_assignments(campaign: Campaign) -> None:
    """Every sender of the campaign gets their assignment (once each, ever)."""
    for sender in campaign.senders.select_related("user"):
        campaign_email_assignment(campaign, sender.user)


def campaign_email_assignment(campaign: Campaign, user: User) -> None:
    notification_enqueue(
        event=f"campaign:{campaign.pk}:assignment",
        recipient=user.email,
        template="campaigns/assignment",
        # The sender's own page: the campaign page is the admins'.
        context={
            "campaign": campaign,
            "person": user,
            "path": reverse("messenger:assignment", kwargs={"pk": campaign.pk}),
        },
        time_zone=campaign.organization.time_zone,
    )


def campaign_email_launching(campaign: Campaign) -> None:
    """The launcher hears that the single-use number is being bought and provisioned."""
    _email_launcher(campaign, "launching")


def campaign_email_provisioning_failed(campaign: Campaign) -> None:
    """The launcher hears why provisioning failed, with a link that clones the campaign."""
    _email_launcher(
        campaign,
        "provisioning_failed",
        reason=provisioning_failure(campaign.phone_number),
        clone_path=reverse("campaigns:clone", kwargs={"pk": campaign.pk}),
    )


def provisioning_failure(number: PhoneNumber | None) -> str:
    """Why the number failed, as one sentence that says it is a provisioning failure."""
    reason = (number.failure_reason if number else "").strip()
    if not reason:
        return "Provisioning failed: the carriers did not approve the number."
    if not reason.lower().startswith("provisioning failed"):
        reason = f"Provisioning failed: {reason}"
    return reason if reason.endswith(".") else f"{reason}."


def _detail_path(campaign: Campaign) -> str:
    return reverse("campaigns:detail", kwargs={"pk": campaign.pk})


# (from, to) → the e-mails the step writes to the outbox (DESIGN.md, "Transitions and e-mails").
TRANSITION_EMAILS: dict[tuple[str, str], tuple[Callable[[Campaign], None], ...]] = {
    (DRAFT, LAUNCHING): (campaign_email_launching,),
    (LAUNCHING, DRAFT): (campaign_email_provisioning_failed,),
    (DRAFT, ACTIVE): (campaign_email_live, campaign_email_assignments),
    (LAUNCHING, ACTIVE): (campaign_email_live, campaign_email_assignments),
}
