"""Texts that leave outside a sender's click: automatic replies (opt-out confirmation, help
text, the bot) and agents' messages from an inbox, 1:1 texting among them.

Every one passes the same gates as a campaign message (``campaigns.sending``): a campaign
contact's conversation goes through ``message_gate`` itself; any other conversation through
``number_gate``, the same checks without a campaign: the number is provisioning-complete, the
contact has not opted out, and it is within texting hours in the contact's time zone. Replies
that answer the contact's own keyword (the opt-out confirmation, the help text) skip the
opt-out and hours gates, as the opt-out confirmation already does for senders.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from campaigns.models import CampaignStatus, Contact, OptOut
from campaigns.sending import SendRefused, message_gate, within_texting_hours
from config.celery import enqueue_on_commit
from inboxes.messages import message_record_outgoing
from inboxes.models import Conversation, Message
from offices.models import Organization
from phone_numbers.models import PhoneNumber, ProvisioningStatus


def our_number(*, e164: str) -> PhoneNumber | None:
    """The number of ours that ``e164`` is now (a released number is nobody's)."""
    return _ours(PhoneNumber.objects.filter(e164=e164)).first()


def our_numbers_locked(*, e164s: Iterable[str]) -> dict[str, PhoneNumber]:
    """The numbers of ours among ``e164s``, by E.164, each row locked until the transaction
    ends. One statement, locking in id order: two transactions locking overlapping sets wait
    for each other instead of deadlocking."""
    numbers = _ours(PhoneNumber.objects.filter(e164__in=set(e164s)))
    return {n.e164 or "": n for n in numbers.select_for_update(of=("self",)).order_by("pk")}


def _ours(numbers: QuerySet[PhoneNumber]) -> QuerySet[PhoneNumber]:
    return numbers.exclude(provisioning_status=ProvisioningStatus.RELEASED).select_related(
        "organization", "office"
    )


def number_gate(
    *, organization: Organization, number_e164: str, phone: str, keyword_reply: bool = False
) -> None:
    """Raises SendRefused when a text from our ``number_e164`` to ``phone`` may not leave."""
    number = our_number(e164=number_e164)
    if number is None or number.organization_id != organization.pk or not number.is_usable:
        raise SendRefused(f"{number_e164} is not provisioning-complete: nothing can be sent.")
    if keyword_reply:
        return
    if OptOut.objects.filter(organization=organization, phone=phone).exists():
        raise SendRefused(f"{phone} opted out: nobody in the organization texts them.")
    if not within_texting_hours(organization=organization, phone=phone, now=timezone.now()):
        raise SendRefused(
            f"Outside texting hours for {phone}: messages leave between "
            f"{organization.texting_hours_start:%H:%M} and "
            f"{organization.texting_hours_end:%H:%M} in the contact's own time zone."
        )


def _campaign_contact(conversation: Conversation) -> Contact | None:
    contact = (
        Contact.objects.filter(conversation=conversation)
        .select_related("campaign__organization", "campaign__phone_number")
        .first()
    )
    if contact is None or contact.campaign.status != CampaignStatus.ACTIVE:
        return None
    return contact


@transaction.atomic
def conversation_send(
    *,
    conversation: Conversation,
    body: str,
    key: str,
    origin: str,
    by: User | None = None,
    keyword_reply: bool = False,
) -> Message:
    """Records ``body`` in the conversation once per ``key`` after the gates let it through;
    a worker delivers it after commit. Raises SendRefused (nothing recorded) otherwise."""
    earlier = Message.objects.filter(idempotency_key=key).first()
    if earlier is not None:
        return earlier
    if not body.strip():
        raise SendRefused("Write a message first.")
    contact = None if keyword_reply else _campaign_contact(conversation)
    if contact is not None:
        message_gate(campaign=contact.campaign, contact=contact, initial=False)
    else:
        number_gate(
            organization=conversation.organization,
            number_e164=conversation.number_e164,
            phone=conversation.contact_e164,
            keyword_reply=keyword_reply,
        )
    message, created = message_record_outgoing(
        conversation=conversation, body=body.strip(), idempotency_key=key, sent_by=by, origin=origin
    )
    if created:
        enqueue_on_commit("provisioning.tasks.deliver_message", message.pk)
    return message
