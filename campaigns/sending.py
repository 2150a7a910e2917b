"""Whether a campaign message may leave, and sending it: the one door for campaign texts.

``message_gate`` refuses — with the sentence the sender sees on the button — when the campaign
is not active, its number is not provisioning-complete, it is before the start date (initial
messages), the contact opted out anywhere in the organization, or it is outside the
organization's texting hours in the contact's own time zone.

A message is recorded in the request's transaction under an idempotency key (an initial
message's key is its contact, so a double click or a second tab records it once); a worker
delivers it after commit (``provisioning.tasks.deliver_message``; a broker down at commit
leaves it queued for the sweep, ``provisioning.tasks.deliver_queued``).
"""

from datetime import datetime, time
from functools import lru_cache
from typing import TYPE_CHECKING, TypedDict
from zoneinfo import ZoneInfo

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from phonenumbers import timezone as phone_time_zones

from accounts.models import User
from campaigns import sql
from campaigns.errors import CampaignError
from campaigns.models import Campaign, CampaignStatus, Contact, OptOut
from config.celery import enqueue_on_commit
from inboxes.messages import conversation_start, message_record_outgoing
from inboxes.models import Conversation, Message
from offices.models import Organization
from offices.time_zones import moment_text

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class SendRefused(CampaignError):
    """The message may not leave; nothing was recorded. The message says why."""


# --- the gates --------------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def contact_time_zones(phone: str) -> tuple[ZoneInfo, ...]:
    """Every time zone the number's area code may be in (from the ``phonenumbers`` data);
    the server's time zone when the data knows none."""
    try:
        names = phone_time_zones.time_zones_for_number(phonenumbers.parse(phone))
    except phonenumbers.NumberParseException:
        names = ()
    known = [name for name in names if name != phone_time_zones.UNKNOWN_TIMEZONE]
    return tuple(ZoneInfo(name) for name in known or [settings.TIME_ZONE])


def within_texting_hours(*, organization: Organization, phone: str, now: datetime) -> bool:
    """True when it is within texting hours in every time zone the contact may be in."""
    start, end = organization.texting_hours_start, organization.texting_hours_end
    return all(start <= now.astimezone(zone).time() < end for zone in contact_time_zones(phone))


def _hour(value: time) -> str:
    return value.strftime("%H:%M")


def message_gate(
    *,
    campaign: Campaign,
    contact: Contact,
    initial: bool,
    opt_out_read: bool = False,
    opted_out: bool | None = None,
) -> None:
    """Raises SendRefused when a message to ``contact`` may not leave now. ``opt_out_read``
    says the caller read ``contact`` through ``contacts_to_text``, which leaves opted-out
    contacts out in the same statement: only a page's advisory check may skip the look-up.
    ``opted_out`` is the look-up's answer when the caller read it with the contact, in the
    statement that locked it (``_locked_contact``): the send always has it one way or the
    other."""
    now = timezone.now()
    if campaign.status != CampaignStatus.ACTIVE:
        raise SendRefused(
            f"“{campaign.name}” is {campaign.get_status_display().lower()}, not active: "
            "nothing can be sent."
        )
    number = campaign.phone_number
    if number is None or not number.is_usable:
        raise SendRefused(
            f"{campaign.name}'s number is not provisioning-complete yet: nothing can be sent."
        )
    if initial and campaign.start_at is not None and now < campaign.start_at:
        # In the organization's zone, as the campaign form took it (not the server's, nor the
        # request's: the gate also runs where there is no request).
        when = moment_text(campaign.start_at, time_zone=campaign.organization.time_zone)
        raise SendRefused(f"Initial messages go out from the start date, {when}.")
    if opted_out is None and not opt_out_read:
        opted_out = OptOut.objects.filter(
            organization_id=campaign.organization_id, phone=contact.phone
        ).exists()
    if opted_out:
        raise SendRefused(f"{contact.phone} opted out: nobody in the organization texts them.")
    organization = campaign.organization
    if not within_texting_hours(organization=organization, phone=contact.phone, now=now):
        raise SendRefused(
            f"Outside texting hours for {contact.phone}: messages leave between "
            f"{_hour(organization.texting_hours_start)} and "
            f"{_hour(organization.texting_hours_end)} in the contact's own time zone."
        )


# --- sending ----------------------------------------------------------------------------------
def initial_message_text(contact: Contact) -> str:
    """The campaign's initial message with the contact's fields filled in."""
    values = {
        **{name: str(value) for name, value in contact.fields.items()},
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "phone": contact.phone,
    }
    return contact.campaign.initial_message.format_map(_Blank(values))


class _Blank(dict[str, str]):
    """A field the contact lacks is left blank rather than failing the send."""

    def __missing__(self, key: str) -> str:
        return ""


class _OptedOut(TypedDict):
    opted_out: bool


def _locked_contact(pk: int, **scope: object) -> "WithAnnotations[Contact, _OptedOut]":
    """The contact, locked, with its campaign, number and conversation, and ``opted_out``
    (anywhere in the organization) read in the same statement for the gate."""
    opted_out = OptOut.objects.filter(
        organization_id=OuterRef("campaign__organization_id"), phone=OuterRef("phone")
    )
    return (
        Contact.objects.select_for_update(of=("self",))
        .select_related("campaign__organization", "campaign__phone_number", "conversation")
        .annotate(opted_out=Exists(opted_out))
        .get(pk=pk, **scope)
    )


def _conversation(contact: Contact, *, at: datetime | None) -> Conversation:
    """The contact's conversation, started if it has none (its last message at ``at``)."""
    if contact.conversation is None:
        number = contact.campaign.phone_number
        # The gate let the message through, so the campaign has a provisioned number.
        assert number is not None
        contact.conversation = conversation_start(
            organization=contact.campaign.organization,
            number_e164=number.e164 or "",
            contact_e164=contact.phone,
            last_message_at=at,
        )
    return contact.conversation


def _record(
    contact: Contact,
    *,
    body: str,
    key: str,
    sender: User | None,
    texts: bool = True,
    key_is_new: bool = False,
) -> Message:
    """Records the message; ``texts`` says whether it counts as texting the contact (the
    opt-out confirmation does not); ``key_is_new`` as ``message_record_outgoing`` takes it.
    A message whose key is new is recorded for sure: a conversation it starts is started
    with its time, and not updated after it."""
    at = timezone.now() if key_is_new else None
    message, created = message_record_outgoing(
        conversation=_conversation(contact, at=at),
        body=body,
        idempotency_key=key,
        sent_by=sender,
        key_is_new=key_is_new,
        at=at,
    )
    if created:
        if texts:
            contact.texted_at = message.created_at
        contact.save(update_fields=["conversation", "texted_at"])
        enqueue_on_commit("provisioning.tasks.deliver_message", message.pk)
    return message


@transaction.atomic
def initial_message_send(*, contact: Contact, sender: User) -> Message:
    """Sends ``contact`` the campaign's initial message, once: a second click returns the
    message the first one recorded."""
    locked = _locked_contact(contact.pk)
    return _initial_send(locked, sender=sender, opted_out=locked.opted_out)


@transaction.atomic
def initial_message_send_assigned(*, campaign: Campaign, sender: User, contact_pk: int) -> Message:
    """The messenger's *Send*: ``initial_message_send`` for one of ``sender``'s contacts in
    ``campaign``, as the view read it with its organization and number (a campaign is never
    locked to send, here nor in ``_locked_contact``). The contact is found, locked and its
    opt-out read in one statement, its conversation (if it has one) when the send needs it: the
    click's cost is what a sender waits on, benchmarks/bench_send_click.py. Any other contact
    raises ``Contact.DoesNotExist``."""
    contact, opted_out = sql.contact_lock_to_send(
        contact_pk=contact_pk,
        campaign_id=campaign.pk,
        organization_id=campaign.organization_id,
        sender_id=sender.pk,
    )
    contact.campaign = campaign
    return _initial_send(contact, sender=sender, opted_out=opted_out)


def _initial_send(contact: Contact, *, sender: User, opted_out: bool) -> Message:
    """The one door of an initial message; ``contact`` is locked by the caller, which read
    ``opted_out`` in the statement that locked it."""
    key = f"initial:{contact.pk}"
    if contact.texted_at is not None:
        earlier = Message.objects.filter(idempotency_key=key).first()
        if earlier is not None:
            return earlier
        raise SendRefused(f"{contact.phone} has been texted already.")
    if contact.assignee_id != sender.pk:
        raise SendRefused(f"{contact.phone} is not in your assignment.")
    message_gate(campaign=contact.campaign, contact=contact, initial=True, opted_out=opted_out)
    # The contact is locked and not texted: recording its key sets texted_at in this same
    # transaction, so the key cannot be there yet.
    return _record(
        contact, body=initial_message_text(contact), key=key, sender=sender, key_is_new=True
    )


@transaction.atomic
def reply_send(*, contact: Contact, sender: User, body: str, idempotency_key: str) -> Message:
    """Answers a contact already texted; the form's key makes a double click send once."""
    contact = _locked_contact(contact.pk)
    key = f"reply:{contact.pk}:{idempotency_key}"
    earlier = Message.objects.filter(idempotency_key=key).first()
    if earlier is not None:
        return earlier
    if contact.assignee_id != sender.pk:
        raise SendRefused(f"{contact.phone} is not in your assignment.")
    if contact.conversation is None:
        raise SendRefused(f"Send {contact.phone} the initial message first.")
    if not body.strip():
        raise SendRefused("Write a message first.")
    message_gate(
        campaign=contact.campaign, contact=contact, initial=False, opted_out=contact.opted_out
    )
    return _record(contact, body=body.strip(), key=key, sender=sender)


@transaction.atomic
def contact_opt_out(*, contact: Contact, by: User | None) -> OptOut:
    """Opts the contact out everywhere in the organization and sends the organization's
    opt-out confirmation, once per organization and number, whoever opts them out again."""
    contact = _locked_contact(contact.pk)
    campaign = contact.campaign
    opt_out, _ = OptOut.objects.get_or_create(
        organization_id=campaign.organization_id, phone=contact.phone
    )
    number = campaign.phone_number
    # The confirmation answers the person's own request: quiet hours and start dates do not
    # hold it back, but it can only leave on a provisioned number.
    if number is not None and number.is_usable:
        _record(
            contact,
            body=campaign.organization.opt_out_message,
            key=f"opt-out:{campaign.organization_id}:{contact.phone}",
            sender=by,
            texts=False,
        )
    return opt_out
