"""Where an inbound message goes (DESIGN.md "Inbound messages"), decided once per message by a
worker (``texting.router`` claims the unrouted rows): the row is locked while it is routed, and
a row already routed is left alone, so a message is routed once however often it is claimed.

1. Keywords first: STOP and its kin opt the contact out organization-wide and confirm once;
   START/UNSTOP opt them back in; HELP/INFO answers with the organization's help text.
2. A number in use by an active campaign, from one of its contacts: that contact's campaign
   conversation (the sender's Replies). The bot answers what it knows; what it does not follows
   the campaign's IDK setting.
3. Otherwise a reusable number's effective behaviour: agent-backed → a conversation in Needs
   Attention of each of its inboxes (none: stored, shown to admins as undelivered); bot-backed →
   the bot, with its office's IDK behaviour.
4. Any other number of ours: stored and shown to admins with the number.
A number that is nobody's is stored as unrouted and listed for operators.

The router routes texts in batches, one transaction each (``texting.router``): what a batch needs
to know of the numbers its texts went to is read once for the batch (``NumbersOfBatch``), after
every text of it was received. A text that only waits for a person (no keyword, no bot, no
campaign contact: most of a burst) writes nothing when it is routed: its conversation, started
if need be, and its message are recorded with the other such texts of the batch in a few
statements (``NumbersOfBatch.record_waiting``), before any text that does more and at the end.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from campaigns.models import Campaign, CampaignIdk, CampaignStatus, Contact, OptOutSource
from campaigns.sending import SendRefused, contact_opt_out
from inboxes.bot import bot_match
from inboxes.messages import (
    Incoming,
    conversation_start,
    message_record_incoming,
    messages_record_incoming,
)
from inboxes.models import (
    Conversation,
    ConversationStatus,
    IdkReview,
    InboundMessage,
    Inbox,
    Origin,
    Route,
)
from offices.models import IdkBehaviour, Office
from phone_numbers.behaviour import ReusableBehaviour, bot_idk, reusable_number_behaviour
from phone_numbers.models import Kind, PhoneNumber, ResponseType
from texting.keywords import Keyword, keyword_of
from texting.opt_outs import opt_out_add, opt_out_remove
from texting.outgoing import conversation_send, our_numbers_locked
from texting.sql import inbound_routes_save

logger = logging.getLogger(__name__)


@dataclass
class Place:
    """Where the message lands before anyone answers it."""

    route: str
    conversations: list[Conversation] = field(default_factory=list)
    contact: Contact | None = None
    office: Office | None = None
    note: str = ""


class NumbersOfBatch:
    """What a batch of texts needs to know of the numbers they went to, read once for the batch,
    after every text of it was received: each number, locked until the batch's transaction ends
    (one batch at a time per number: two texts from one contact routed side by side would each
    start the conversation); the campaign active on it; a reusable number's behaviour; and its
    conversations outside a campaign with the batch's senders, kept up to date as the batch
    starts new ones (not saved until ``record_waiting``); and the texts that wait for a person,
    to be recorded together.

    A batch whose transaction (or savepoint) rolled back is read again: what this one holds
    may no longer be in the database."""

    def __init__(self, texts: Iterable[InboundMessage]) -> None:
        self._senders: dict[str, set[str]] = defaultdict(set)
        for text in texts:
            self._senders[text.to_e164].add(text.from_e164)
        self._numbers = our_numbers_locked(e164s=self._senders)
        self._active: dict[int, Campaign | None] = {}
        self._behaviour: dict[int, ReusableBehaviour] = {}
        self._conversations: dict[int, dict[str, list[Conversation]]] = {}
        self._waiting: list[tuple[InboundMessage, Incoming]] = []

    def number(self, e164: str) -> PhoneNumber | None:
        return self._numbers.get(e164)

    def active_campaign(self, number: PhoneNumber) -> Campaign | None:
        if number.pk not in self._active:
            self._active[number.pk] = Campaign.objects.filter(
                phone_number=number, status=CampaignStatus.ACTIVE
            ).first()
        return self._active[number.pk]

    def behaviour(self, number: PhoneNumber) -> ReusableBehaviour:
        if number.pk not in self._behaviour:
            self._behaviour[number.pk] = reusable_number_behaviour(phone_number=number)
        return self._behaviour[number.pk]

    def conversations(self, number: PhoneNumber, phone: str) -> list[Conversation]:
        """The number's conversations outside a campaign with ``phone`` (one of the batch's
        senders to it), newest first; the caller puts a conversation it starts first."""
        if number.pk not in self._conversations:
            found: dict[str, list[Conversation]] = defaultdict(list)
            for conversation in Conversation.objects.filter(
                organization=number.organization,
                number_e164=number.e164,
                contact_e164__in=self._senders[number.e164 or ""],
                contact__isnull=True,
            ).order_by("-id"):
                found[conversation.contact_e164].append(conversation)
            self._conversations[number.pk] = found
        return self._conversations[number.pk][phone]

    def wait(self, inbound: InboundMessage, conversations: list[Conversation]) -> None:
        """Records ``inbound`` in ``conversations`` at the next ``record_waiting``."""
        text = Incoming(conversations=conversations, body=inbound.body, key=f"in:{inbound.pk}")
        self._waiting.append((inbound, text))

    def record_waiting(self) -> None:
        """Records the texts waiting since the last call, in the order they were routed,
        starting their new conversations: the caller's transaction holds them all before any
        later text of the batch is recorded, and before the texts' routes are saved."""
        if not self._waiting:
            return
        messages_record_incoming([text for _, text in self._waiting])
        for inbound, text in self._waiting:
            inbound.conversation = text.conversations[0]  # saved now: its id is known
        self._waiting = []


def inbound_route(*, inbound_id: int) -> InboundMessage:
    """Routes the message once; returns it with its route and a note of what happened."""
    with transaction.atomic():
        inbound = InboundMessage.objects.select_for_update().get(pk=inbound_id)
        if inbound.routed_at is not None:
            return inbound
        numbers = NumbersOfBatch([inbound])
        inbound_route_claimed(inbound, numbers)
        numbers.record_waiting()
        inbound_routes_save([inbound])
        return inbound


def inbound_route_claimed(inbound: InboundMessage, numbers: NumbersOfBatch) -> InboundMessage:
    """Routes a message whose row the caller locked, unrouted, inside its transaction, with
    ``numbers`` read in that transaction for a batch that holds it. Sets its route
    (``texting.sql.ROUTED_FIELDS``) for the caller to save: a batch saves all of its texts' at
    once."""
    number = numbers.number(inbound.to_e164)
    if number is None:
        logger.warning(
            "Unrouted inbound message %s: %s is not a number of ours",
            inbound.pk,
            inbound.to_e164,
        )
        return _done(inbound, Route.UNROUTED, note=f"{inbound.to_e164} is not a number of ours.")
    inbound.organization = number.organization
    place = _place(number=number, phone=inbound.from_e164, numbers=numbers)
    keyword = keyword_of(inbound.body)
    if keyword is None and not _bot_answers(place) and place.contact is None:
        # It only waits for a person: recorded with the batch's others (``record_waiting``).
        numbers.wait(inbound, place.conversations)
        route, note = _answer(inbound=inbound, place=place)
        return _done(inbound, route, note=" ".join(filter(None, [place.note, note])))
    # What follows reads and writes the conversations: the texts before this one come first.
    numbers.record_waiting()
    for conversation in place.conversations:
        if conversation.pk is None:
            conversation.save()  # started for this text
        message_record_incoming(
            conversation=conversation,
            body=inbound.body,
            idempotency_key=f"in:{inbound.pk}:{conversation.pk}",
            # The text is locked and unrouted: its messages commit with its routing, so none is
            # recorded yet.
            key_is_new=True,
            # Neither a keyword nor the bot answers it: it waits for a person.
            needs_attention=keyword is None and not _bot_answers(place),
        )
    inbound.conversation = place.conversations[0]
    if keyword is not None:
        route, note = _keyword(keyword, inbound=inbound, place=place)
    else:
        route, note = _answer(inbound=inbound, place=place)
    return _done(inbound, route, note=" ".join(filter(None, [place.note, note])))


def _done(inbound: InboundMessage, route: str, *, note: str) -> InboundMessage:
    inbound.route, inbound.note, inbound.routed_at = route, note[:300], timezone.now()
    return inbound


# --- where it lands ---------------------------------------------------------------------------
def _place(*, number: PhoneNumber, phone: str, numbers: NumbersOfBatch) -> Place:
    active = numbers.active_campaign(number)
    if active is not None:
        contact = (
            Contact.objects.filter(
                campaign__phone_number=number, campaign__status=CampaignStatus.ACTIVE, phone=phone
            )
            .select_related("campaign__office", "campaign__organization", "conversation")
            .order_by("-campaign__launched_at", "-campaign_id")
            .first()
        )
        if contact is not None:
            return _campaign_place(contact, number)
        note = f"{phone} is not a contact of “{active.name}”, which uses {number.e164}."
        return Place(Route.NUMBER, [_conversation(number, phone, numbers)], note=note)
    if number.kind == Kind.REUSABLE:
        behaviour = numbers.behaviour(number)
        if behaviour.follows_campaign:
            note = f"“{behaviour.campaign_name}” holds {number.e164} but is not active yet."
            return Place(Route.NUMBER, [_conversation(number, phone, numbers)], note=note)
        if behaviour.response_type == ResponseType.BOT and number.office is not None:
            bot = _conversation(number, phone, numbers, bot=True)
            return Place(Route.BOT, [bot], office=number.office)
        if behaviour.inboxes:
            conversations = [
                _conversation(number, phone, numbers, inbox=inbox) for inbox in behaviour.inboxes
            ]
            return Place(Route.INBOX, conversations, office=number.office)
        note = f"{number.e164} is agent-backed with no inbox: delivered nowhere."
        return Place(Route.UNDELIVERED, [_conversation(number, phone, numbers)], note=note)
    return Place(Route.NUMBER, [_conversation(number, phone, numbers)])


def _campaign_place(contact: Contact, number: PhoneNumber) -> Place:
    if contact.conversation is None:
        contact.conversation = conversation_start(
            organization=contact.campaign.organization,
            number_e164=number.e164 or "",
            contact_e164=contact.phone,
        )
    contact.last_reply_at = timezone.now()
    contact.save(update_fields=["conversation", "last_reply_at"])
    return Place(
        Route.CAMPAIGN, [contact.conversation], contact=contact, office=contact.campaign.office
    )


def _conversation(
    number: PhoneNumber,
    phone: str,
    numbers: NumbersOfBatch,
    *,
    inbox: Inbox | None = None,
    bot: bool = False,
) -> Conversation:
    """The latest conversation of this kind between the number and the contact, or a new one.
    The bot's conversation is the same one even after it was copied into a review inbox."""
    conversations = numbers.conversations(number, phone)
    inbox_id = inbox.pk if inbox is not None else None
    for conversation in conversations:
        if conversation.bot == bot and (bot or conversation.inbox_id == inbox_id):
            return conversation
    # Saved with the batch's waiting texts, or by the text itself (``inbound_route_claimed``).
    conversation = Conversation(
        organization=number.organization,
        number_e164=number.e164 or "",
        contact_e164=phone,
        inbox=inbox,
        bot=bot,
    )
    conversations.insert(0, conversation)
    return conversation


def _needs_attention(conversation: Conversation, *, inbox: Inbox | None = None) -> None:
    conversation.status = ConversationStatus.NEEDS_ATTENTION
    if inbox is not None:
        conversation.inbox = inbox
    conversation.save(update_fields=["status", "inbox"])


# --- keywords ---------------------------------------------------------------------------------
def _keyword(keyword: Keyword, *, inbound: InboundMessage, place: Place) -> tuple[str, str]:
    organization = place.conversations[0].organization
    phone = inbound.from_e164
    if keyword == Keyword.OPT_IN:
        removed = opt_out_remove(
            organization=organization, phone=phone, source=OptOutSource.KEYWORD, reason="START"
        )
        return Route.OPT_IN, "" if removed else f"{phone} was not opted out."
    if keyword == Keyword.HELP:
        return Route.HELP, _send(
            place.conversations[0],
            organization.help_message,
            key=f"help:{inbound.pk}",
            keyword_reply=True,
        )
    opt_out_add(organization=organization, phone=phone, source=OptOutSource.KEYWORD)
    if place.contact is not None:
        # The senders' door: it confirms once per organization and number.
        contact_opt_out(contact=place.contact, by=None)
        return Route.OPT_OUT, ""
    return Route.OPT_OUT, _send(
        place.conversations[0],
        organization.opt_out_message,
        # The same key as the senders' door: one confirmation per organization and number.
        key=f"opt-out:{organization.pk}:{phone}",
        keyword_reply=True,
    )


def _send(conversation: Conversation, body: str, *, key: str, keyword_reply: bool = False) -> str:
    """Sends an automatic reply; a refusal is noted, never raised: the message is routed."""
    origin = Origin.AUTO if keyword_reply else Origin.BOT
    try:
        conversation_send(
            conversation=conversation,
            body=body,
            key=key,
            origin=origin,
            keyword_reply=keyword_reply,
        )
    except SendRefused as refusal:
        return f"Reply not sent: {refusal}"
    return ""


# --- answering --------------------------------------------------------------------------------
def _bot_answers(place: Place) -> bool:
    return place.route in (Route.CAMPAIGN, Route.BOT) and place.office is not None


def _answer(*, inbound: InboundMessage, place: Place) -> tuple[str, str]:
    """The bot's answer; any other text already waits in Needs Attention, put there with its
    message (``inbound_route_claimed``)."""
    if _bot_answers(place):
        return place.route, _bot(inbound=inbound, place=place)
    if place.route != Route.INBOX:
        logger.info("Inbound message %s stored for admins (%s)", inbound.pk, place.route)
    return place.route, ""


def _bot(*, inbound: InboundMessage, place: Place) -> str:
    assert place.office is not None
    conversation = place.conversations[0]
    match = bot_match(office=place.office, text=inbound.body)
    if match is not None:
        if place.contact is not None:
            _needs_attention(conversation)  # the sender sees the reply and the bot's answer
        refused = _send(conversation, match.answer.answer, key=f"bot:{inbound.pk}")
        return refused or f"The bot answered (matched “{match.phrase}”)."
    if place.contact is not None and place.contact.campaign.idk == CampaignIdk.AGENT:
        _needs_attention(conversation)
        return "The bot did not know: Needs Attention for the sender."
    if place.contact is not None and place.office.idk_default == IdkBehaviour.AGENT:
        _needs_attention(conversation)
        return "The bot did not know: the office hands over to an agent."
    # A bot-backed number never hands over (phone_numbers.behaviour.bot_idk).
    idk = bot_idk(office=place.office)
    notes = ["The bot did not know."]
    if idk.behaviour == IdkBehaviour.REPLY and idk.message:
        notes.append(_send(conversation, idk.message, key=f"bot:{inbound.pk}") or "IDK sent.")
    review = Inbox.objects.filter(
        pk__in=IdkReview.objects.filter(office=place.office).values("inbox")
    ).first()
    if review is not None:
        _needs_attention(conversation, inbox=review)
        notes.append(f"Copied to {review.name} for review.")
    return " ".join(notes)
