"""A reusable number's effective behaviour: DERIVED on every read, never copied (DESIGN.md).

While a launching or active campaign uses the number, the campaign decides (its conversations
take the replies); otherwise the number's own defaults do. Archiving the campaign therefore
reverts nothing: the next read finds no campaign and answers with the defaults.
"""

from dataclasses import dataclass, field

from inboxes.models import Inbox
from offices.models import IdkBehaviour, Office
from phone_numbers.models import PhoneNumber, ResponseType
from phone_numbers.usage import IN_USE_CAMPAIGN_STATUSES


@dataclass(frozen=True)
class BotIdk:
    """What a bot-backed number does with a message it does not understand."""

    behaviour: str  # an IdkBehaviour value, never "agent"
    message: str
    # The office's IDK default is "agent", which a bot-backed number may not take.
    fell_back: bool = False

    @property
    def label(self) -> str:
        return IdkBehaviour(self.behaviour).label


@dataclass(frozen=True)
class ReusableBehaviour:
    campaign_id: int | None = None
    campaign_name: str = ""
    response_type: str = ""
    inboxes: list[Inbox] = field(default_factory=list)
    idk: BotIdk | None = None

    @property
    def follows_campaign(self) -> bool:
        return self.campaign_id is not None

    @property
    def response_type_label(self) -> str:
        return ResponseType(self.response_type).label if self.response_type else ""

    @property
    def goes_nowhere(self) -> bool:
        """Agent-backed with no inbox: an incoming message is delivered nowhere."""
        return (
            not self.follows_campaign
            and self.response_type == ResponseType.AGENT
            and not self.inboxes
        )


def bot_idk(*, office: Office) -> BotIdk:
    """A bot-backed number takes its office's IDK default, except "agent": then the bot replies
    with the office's IDK message instead."""
    if office.idk_default == IdkBehaviour.AGENT:
        return BotIdk(IdkBehaviour.REPLY, office.idk_message, fell_back=True)
    return BotIdk(office.idk_default, office.idk_message)


def reusable_number_behaviour(*, phone_number: PhoneNumber) -> ReusableBehaviour:
    """The behaviour in force now: the campaign using the number, else the number's defaults."""
    campaign_model = PhoneNumber._meta.get_field("campaigns").related_model
    campaign = (
        campaign_model._default_manager.filter(
            phone_number=phone_number, status__in=IN_USE_CAMPAIGN_STATUSES
        )
        .order_by("-id")
        .values("id", "name")
        .first()
    )
    if campaign is not None:
        return ReusableBehaviour(campaign_id=campaign["id"], campaign_name=campaign["name"])
    response_type = phone_number.response_type or ResponseType.AGENT
    bot = response_type == ResponseType.BOT and phone_number.office is not None
    return ReusableBehaviour(
        response_type=response_type,
        inboxes=list(phone_number.inboxes.order_by("name")),
        idk=bot_idk(office=phone_number.office) if bot and phone_number.office else None,
    )
