"""What Launch and Archive will do, in words, for the person asked to confirm them.

Both actions have consequences that cannot be taken back (a number is bought, or released for
good), so the dialog and the confirm page say exactly what will happen to this campaign.
"""

from dataclasses import dataclass

from campaigns.models import Campaign, CampaignStatus, NumberChoice
from phone_numbers.models import Kind, PhoneNumber
from phone_numbers.phones import phone_display


@dataclass(frozen=True)
class Confirmation:
    """One action's question, what it will do, and the button that does it."""

    action: str  # the URL name: "launch" or "archive"
    question: str
    consequence: str
    button: str


def campaign_confirmation(*, campaign: Campaign, action: str) -> Confirmation:
    if action == "launch":
        consequence = campaign_launch_consequence(campaign=campaign)
    else:
        consequence = campaign_archive_consequence(campaign=campaign)
    verb = action.capitalize()
    return Confirmation(action, f"{verb} “{campaign.name}”?", consequence, verb)


def campaign_launch_consequence(*, campaign: Campaign) -> str:
    if campaign.orders_its_number:
        return (
            f"Launching buys a number in {campaign.area_codes_phrase} and starts provisioning "
            "with the carriers; no message can be sent until it is complete. The campaign "
            "waits in Launching on the Drafts page and becomes active by itself."
        )
    number = campaign.phone_number
    if number is None or not number.e164:
        return "Launching needs a phone number: edit the campaign and choose one first."
    if not number.is_usable:
        return (
            f"{phone_display(number.e164)} is not provisioned "
            f"({number.get_provisioning_status_display()}), so the launch will be refused: "
            "edit the campaign and choose a provisioning-complete number."
        )
    on = _number_phrase(campaign, number)
    senders = campaign.senders.count()
    mailed = (
        f" Its {senders} sender{'s are' if senders > 1 else ' is'} e-mailed the assignment."
        if senders
        else ""
    )
    return f"“{campaign.name}” goes live at once on {on}: messages can be sent now.{mailed}"


def _number_phrase(campaign: Campaign, number: PhoneNumber) -> str:
    phone = phone_display(number.e164 or "")
    if campaign.parent is not None:
        return f"{phone}, the already provisioned number of “{campaign.parent.name}”"
    if campaign.number_choice == NumberChoice.REUSABLE:
        return (
            f"the reusable number {phone}, already provisioned; while the campaign is active "
            "its settings replace the number's defaults"
        )
    return f"the dedicated number {phone}, already provisioned"


def campaign_archive_consequence(*, campaign: Campaign) -> str:
    name = f"Archiving “{campaign.name}”"
    if campaign.provisioning_failed:
        return (
            f"{name} takes it off the Drafts; its number failed provisioning and was already "
            "given back to the carrier."
        )
    ends = (
        "No more messages can be sent on it."
        if campaign.status == CampaignStatus.ACTIVE
        else "It leaves the Drafts and can no longer be launched, only cloned."
    )
    number = campaign.phone_number
    if number is None or not number.e164 or not number.is_usable:
        return f"{name} ends it. {ends}"
    return f"{name} {_what_becomes_of(number, campaign)}. {ends}"


def _what_becomes_of(number: PhoneNumber, campaign: Campaign) -> str:
    phone = phone_display(number.e164 or "")
    if number.kind == Kind.DEDICATED:
        return f"keeps the dedicated number {phone} for your other campaigns"
    if number.kind == Kind.REUSABLE:
        return f"returns the reusable number {phone} to its own defaults"
    sharing = _other_campaign_on(number, campaign)
    if sharing is not None:
        return (
            f"keeps {phone} while “{sharing.name}” still uses it; the number is released to "
            "the carrier when that campaign is archived too"
        )
    return f"releases {phone} to the carrier for good; it cannot be undone"


def _other_campaign_on(number: PhoneNumber, campaign: Campaign) -> Campaign | None:
    """A follow-up (or its parent) that keeps the single-use number in use."""
    return (
        Campaign.objects.filter(phone_number=number)
        .exclude(status=CampaignStatus.ARCHIVED)
        .exclude(pk=campaign.pk)
        .order_by("pk")
        .first()
    )
