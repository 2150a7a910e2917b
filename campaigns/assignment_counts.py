"""What the admin's sender panel reads: the campaign's counts and a row per sender, each in a
constant number of queries however many contacts and senders there are."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from accounts.models import User
from campaigns.models import REPLY_WAITS, Campaign, CampaignSender, Contact, OptOut
from campaigns.selectors import contacts_count


@dataclass(frozen=True)
class CampaignCounts:
    unassigned: int
    assigned_not_texted: int
    texted: int
    replied: int
    opted_out: int


@dataclass(frozen=True)
class SenderRow:
    user: User
    assigned: int
    texted: int
    replies_waiting: int


def campaign_assignment_counts(*, campaign: Campaign) -> CampaignCounts:
    """One query. ``opted_out`` counts contacts opted out anywhere in the organization."""
    opted_out = OptOut.objects.filter(
        organization_id=campaign.organization_id, phone=OuterRef("phone")
    )
    counts = (
        Contact.objects.filter(campaign=campaign)
        .annotate(is_opted_out=Exists(opted_out))
        .aggregate(
            unassigned=Count("pk", filter=Q(assignee__isnull=True, texted_at__isnull=True)),
            assigned_not_texted=Count(
                "pk", filter=Q(assignee__isnull=False, texted_at__isnull=True)
            ),
            texted=Count("pk", filter=Q(texted_at__isnull=False)),
            replied=Count("pk", filter=Q(last_reply_at__isnull=False)),
            opted_out=Count("pk", filter=Q(is_opted_out=True)),
        )
    )
    return CampaignCounts(**counts)


def campaign_sender_rows(*, campaign: Campaign) -> list[SenderRow]:
    """Every sender of the campaign with their counts, in one query: each count walks that
    sender's contacts along their index (contact_assigned, contact_reply_waits), never the
    campaign's other contacts."""
    theirs = Contact.objects.filter(campaign=campaign, assignee=OuterRef("user_id"))
    senders = (
        CampaignSender.objects.filter(campaign=campaign)
        .select_related("user")
        .annotate(
            assigned=contacts_count(theirs),
            texted=contacts_count(theirs.filter(texted_at__isnull=False)),
            replies_waiting=contacts_count(theirs.filter(REPLY_WAITS)),
        )
    )
    return [
        SenderRow(
            user=sender.user,
            assigned=sender.assigned,
            texted=sender.texted,
            replies_waiting=sender.replies_waiting,
        )
        for sender in senders
    ]
