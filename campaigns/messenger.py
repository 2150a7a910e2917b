"""Reads for the messenger: a sender's campaigns with what waits, their next contact, and the
conversations waiting for an answer."""

from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from campaigns import sql
from campaigns.models import REPLY_WAITS, Campaign, CampaignStatus, Contact
from campaigns.selectors import contacts_count
from inboxes.models import Message
from offices.models import Organization


def messenger_campaigns(*, organization: Organization, user: User) -> QuerySet[Campaign]:
    """The campaigns ``user`` sends on in ``organization`` (archived ones left out), each with
    ``to_send`` (initial messages left) and ``replies_waiting``, in one query: each count
    walks the sender's own contacts along their index (contact_assigned, contact_reply_waits),
    not the campaign's."""
    mine = Contact.objects.filter(campaign=OuterRef("pk"), assignee=user)
    return (
        Campaign.objects.filter(organization=organization, senders__user=user)
        .exclude(status=CampaignStatus.ARCHIVED)
        .annotate(
            to_send=contacts_count(mine.filter(texted_at__isnull=True)),
            replies_waiting=contacts_count(mine.filter(REPLY_WAITS)),
        )
        .order_by("-launched_at", "-id")
    )


def messenger_campaign(*, organization: Organization, user: User, pk: int) -> Campaign:
    """One of ``user``'s campaigns in ``organization``; any other answers 404."""
    campaigns = Campaign.objects.filter(organization=organization, senders__user=user)
    return get_object_or_404(campaigns.select_related("organization", "phone_number"), pk=pk)


# The messenger counts what waits no further than this: the Send click's cost must not grow
# with the size of the sender's assignment. Past it the sender sees "100+".
COUNTED_UP_TO = 100


@dataclass(frozen=True)
class Counted:
    """How many wait, read no further than COUNTED_UP_TO rows: exact up to it, "100+" past it
    (``read`` is then COUNTED_UP_TO + 1)."""

    read: int

    def __str__(self) -> str:
        return f"{COUNTED_UP_TO}+" if self.read > COUNTED_UP_TO else str(self.read)

    def __bool__(self) -> bool:
        return self.read > 0


@dataclass(frozen=True)
class Assignment:
    """What the sender's assignment shows: the next contact to text and what waits."""

    contact: Contact | None
    initial_messages: Counted
    replies: Counted


def messenger_next_contact(*, campaign: Campaign, user: User) -> Assignment:
    """The sender's next contact to text — the first of ``contacts_to_text`` (opted-out
    contacts are skipped: nobody texts them) — with the initial messages left and the replies
    waiting, in one statement (``sql.messenger_next_contact_read``)."""
    contact, initial_messages, replies = sql.messenger_next_contact_read(
        campaign_id=campaign.pk,
        organization_id=campaign.organization_id,
        user_id=user.pk,
        counted=COUNTED_UP_TO + 1,
    )
    if contact is not None:
        contact.campaign = campaign
    return Assignment(contact, Counted(initial_messages), Counted(replies))


def messenger_has_contacts(*, campaign: Campaign, user: User) -> bool:
    """Whether any contact of ``campaign`` is assigned to ``user``, texted or not: with none to
    text, the sender is told either that nothing is assigned to them yet or that every contact
    has had its initial message."""
    return Contact.objects.filter(campaign=campaign, assignee=user).exists()


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
