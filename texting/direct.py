"""1:1 texting: an agent starts a conversation from an inbox, on one of its office's
provisioning-complete reusable numbers. The message passes the same gates as any other."""

from django.db import transaction
from django.db.models import QuerySet

from accounts.models import User
from campaigns.sending import SendRefused
from inboxes.models import Conversation, ConversationStatus, Inbox, Origin
from phone_numbers.models import Kind, PhoneNumber, ProvisioningStatus
from texting.outgoing import conversation_send


def direct_numbers(*, inbox: Inbox) -> QuerySet[PhoneNumber]:
    """The numbers an agent may text from out of ``inbox``."""
    return PhoneNumber.objects.filter(
        organization=inbox.organization_id,
        office=inbox.office_id,
        kind=Kind.REUSABLE,
        provisioning_status=ProvisioningStatus.COMPLETE,
    ).order_by("name", "e164")


@transaction.atomic
def direct_conversation_start(
    *, inbox: Inbox, number: PhoneNumber, phone: str, body: str, by: User, key: str
) -> Conversation:
    """Texts ``phone`` from ``number`` in a conversation of ``inbox`` (the one they already
    have, else a new one). Raises SendRefused, with nothing saved, when a gate says no."""
    if not direct_numbers(inbox=inbox).filter(pk=number.pk).exists():
        raise SendRefused(
            f"{number.e164 or number} is not a provisioning-complete reusable number of "
            f"{inbox.office.name}."
        )
    conversation = (
        Conversation.objects.filter(
            inbox=inbox, number_e164=number.e164, contact_e164=phone, bot=False
        )
        .order_by("-id")
        .first()
    )
    if conversation is None:
        conversation = Conversation.objects.create(
            organization_id=inbox.organization_id,
            number_e164=number.e164 or "",
            contact_e164=phone,
            inbox=inbox,
            status=ConversationStatus.OPEN,
            assignee=by,
        )
    conversation_send(
        conversation=conversation, body=body, key=f"direct:{key}", origin=Origin.AGENT, by=by
    )
    return conversation
