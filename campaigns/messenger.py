"""Reads for the messenger: a sender's campaigns with what waits, their next contact, and the
conversations waiting for an answer."""

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from campaigns.assignment_counts import REPLY_WAITS
from campaigns.models import Campaign, CampaignStatus, Contact, OptOut
from campaigns.selectors import contacts_to_text
from inboxes.models import Message
from offices.models import Organization


def messenger_campaigns(*, organization: Organization, user: User) -> QuerySet[Campaign]:
    """The campaigns ``user`` sends on in ``organization`` (archived ones left out), each with
    ``to_send`` (initial messages left) and ``replies_waiting``, in one query."""
    mine = Q(contacts__assignee=user)
    reply_waits = Q(contacts__last_reply_at__isnull=False) & (
        Q(contacts__texted_at__isnull=True)
        | Q(contacts__last_reply_at__gt=F("contacts__texted_at"))
    )
    return (
        Campaign.objects.filter(organization=organization, senders__user=user)
        .exclude(status=CampaignStatus.ARCHIVED)
        .annotate(
            to_send=Count("contacts", filter=mine & Q(contacts__texted_at__isnull=True)),
            replies_waiting=Count("contacts", filter=mine & reply_waits),
        )
        .order_by("-launched_at", "-id")
    )


def messenger_campaign(*, organization: Organization, user: User, pk: int) -> Campaign:
    """One of ``user``'s campaigns in ``organization``; any other answers 404."""
    campaigns = Campaign.objects.filter(organization=organization, senders__user=user)
    return get_object_or_404(campaigns.select_related("organization", "phone_number"), pk=pk)


def messenger_next_contact(*, campaign: Campaign, user: User) -> Contact | None:
    """The sender's next contact to text: the first assigned and not yet texted (opted-out
    contacts are skipped: nobody texts them)."""
    contacts = contacts_to_text(campaign=campaign, sender=user).select_related("campaign")
    return contacts.order_by("id").first()


@dataclass(frozen=True)
class Waiting:
    initial_messages: int
    replies: int


def messenger_waiting(*, campaign: Campaign, user: User) -> Waiting:
    """What waits for ``user`` in ``campaign``: initial messages left to send (as
    ``contacts_to_text`` counts them) and replies to answer, in one walk of their contacts."""
    opted_out = OptOut.objects.filter(
        organization_id=campaign.organization_id, phone=OuterRef("phone")
    )
    counts = Contact.objects.filter(campaign=campaign, assignee=user).aggregate(
        initial_messages=Count("pk", filter=Q(~Exists(opted_out), texted_at__isnull=True)),
        replies=Count("pk", filter=REPLY_WAITS),
    )
    return Waiting(**counts)


def messenger_contact(*, campaign: Campaign, user: User, pk: int) -> Contact:
    """One of the sender's contacts, with its conversation; any other answers 404."""
    contacts = Contact.objects.filter(campaign=campaign, assignee=user).select_related(
        "campaign", "conversation"
    )
    return get_object_or_404(contacts, pk=pk)


def messenger_replies(*, campaign: Campaign, user: User) -> QuerySet[Contact]:
    """The sender's conversations whose last message came from the contact, oldest first."""
    return (
        Contact.objects.filter(campaign=campaign, assignee=user)
        .filter(REPLY_WAITS)
        .order_by("last_reply_at", "id")
    )


def conversation_messages(*, contact: Contact) -> QuerySet[Message]:
    if contact.conversation_id is None:
        return Message.objects.none()
    return Message.objects.filter(conversation_id=contact.conversation_id).order_by(
        "created_at", "id"
    )
