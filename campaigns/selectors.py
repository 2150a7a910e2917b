"""Reads on campaigns. Each takes the tenant as a required keyword."""

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from accounts.models import User
from campaigns.models import (
    Campaign,
    CampaignSender,
    CampaignStatus,
    CampaignTransition,
    Contact,
    OptOut,
)
from offices.models import Membership, Office, Organization, Role
from phone_numbers.models import IN_FLIGHT, Kind, PhoneNumber, ProvisioningStatus
from phone_numbers.usage import campaign_using

INDEXES = {
    "active": (CampaignStatus.ACTIVE,),
    "drafts": (CampaignStatus.DRAFT, CampaignStatus.LAUNCHING),
    "archived": (CampaignStatus.ARCHIVED,),
}


def contacts_to_text(*, campaign: Campaign, sender: User) -> QuerySet[Contact]:
    """``sender``'s contacts still waiting for their initial message (opted-out contacts
    never will). ``campaigns.sql`` writes the same condition by hand for self-assign."""
    opted_out = OptOut.objects.filter(
        organization_id=campaign.organization_id, phone=OuterRef("phone")
    )
    return Contact.objects.filter(
        campaign=campaign, assignee=sender, texted_at__isnull=True
    ).exclude(Exists(opted_out))


def contacts_count(contacts: QuerySet[Contact]) -> Coalesce:
    """How many ``contacts`` there are (a queryset correlated with ``OuterRef``), as an
    annotation: one index walk per annotated row, 0 when there are none."""
    counted = contacts.order_by().values("campaign").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def campaign_visible(*, organization: Organization, membership: Membership) -> QuerySet[Campaign]:
    """Campaigns the person may see: all for an admin, their offices' for an office member,
    the ones they send on for a sender."""
    campaigns = Campaign.objects.filter(organization=organization)
    if membership.role == Role.MEMBER:
        campaigns = campaigns.filter(office__memberships=membership)
    elif membership.role == Role.SENDER:
        campaigns = campaigns.filter(senders__user_id=membership.user_id)
    return campaigns


def campaign_list(
    *, organization: Organization, membership: Membership, index: str
) -> QuerySet[Campaign]:
    contact_count = (
        Contact.objects.filter(campaign=OuterRef("pk"))
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        campaign_visible(organization=organization, membership=membership)
        .filter(status__in=INDEXES[index])
        .select_related("office", "phone_number", "parent")
        .annotate(contact_count=Coalesce(Subquery(contact_count, output_field=IntegerField()), 0))
        .order_by("-created_at", "-id")
    )


def campaign_get(*, organization: Organization, membership: Membership, pk: int) -> Campaign:
    campaigns = campaign_visible(organization=organization, membership=membership).select_related(
        "office", "phone_number", "use_case", "parent", "cloned_from", "launched_by"
    )
    return get_object_or_404(campaigns, pk=pk)


def campaign_timeline(*, campaign: Campaign) -> QuerySet[CampaignTransition]:
    return campaign.transitions.select_related("by").order_by("at", "id")


def campaign_senders(*, campaign: Campaign) -> QuerySet[CampaignSender]:
    return campaign.senders.select_related("user").order_by("user__email")


def sender_candidates(*, organization: Organization, campaign: Campaign) -> QuerySet[User]:
    """People with the sender role who are not yet senders of the campaign."""
    return (
        User.objects.filter(memberships__organization=organization, memberships__role=Role.SENDER)
        .exclude(campaign_senders__campaign=campaign)
        .order_by("email")
    )


def dedicated_numbers_usable(*, organization: Organization) -> QuerySet[PhoneNumber]:
    """The dedicated numbers a campaign may choose: provisioning-complete only."""
    return PhoneNumber.objects.filter(
        organization=organization,
        kind=Kind.DEDICATED,
        provisioning_status=ProvisioningStatus.COMPLETE,
    ).order_by("e164")


def dedicated_numbers_provisioning_count(*, organization: Organization) -> int:
    return PhoneNumber.objects.filter(
        organization=organization, kind=Kind.DEDICATED, provisioning_status__in=IN_FLIGHT
    ).count()


def reusable_numbers_for_office(
    *, organization: Organization, office: Office | None
) -> QuerySet[PhoneNumber]:
    """The office's provisioned reusable numbers, each with the campaign using it (if any)."""
    if office is None or office.organization_id != organization.pk:
        return PhoneNumber.objects.none()
    return (
        PhoneNumber.objects.filter(
            organization=organization,
            office=office,
            kind=Kind.REUSABLE,
            provisioning_status=ProvisioningStatus.COMPLETE,
        )
        .annotate(
            in_use_by_id=campaign_using("id"),
            in_use_by_name=campaign_using("name"),
        )
        .order_by("name", "e164")
    )


def campaign_counts(*, organization: Organization, membership: Membership) -> dict[str, int]:
    """How many campaigns each index holds, for the tabs."""
    counts = campaign_visible(organization=organization, membership=membership).aggregate(
        active=Count("pk", filter=Q(status__in=INDEXES["active"])),
        drafts=Count("pk", filter=Q(status__in=INDEXES["drafts"])),
        archived=Count("pk", filter=Q(status__in=INDEXES["archived"])),
    )
    return {key: value or 0 for key, value in counts.items()}


def campaign_replies(*, campaign: Campaign, limit: int = 20) -> QuerySet[Contact]:
    """The contacts who replied most recently, with their conversations (admins' view)."""
    return (
        campaign.contacts.filter(last_reply_at__isnull=False, conversation__isnull=False)
        .select_related("conversation", "assignee")
        .order_by("-last_reply_at", "-id")[:limit]
    )
