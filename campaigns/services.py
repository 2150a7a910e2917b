"""Writes on campaigns: create, edit, senders, launch, archive, clone, follow-up.

State changes go through ``campaigns.transitions.campaign_transition``.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from campaigns.assignment import contacts_take_back
from campaigns.errors import CampaignError
from campaigns.message_fields import message_unknown_fields
from campaigns.models import (
    Campaign,
    CampaignIdk,
    CampaignSender,
    CampaignStatus,
    Contact,
    NumberChoice,
    OptOut,
)
from campaigns.sql import contacts_copy
from campaigns.transitions import (
    campaign_email_assignment,
    campaign_timeline_start,
    campaign_transition,
    provisioning_failure,
)
from offices.models import Membership, Office, Organization, Role
from phone_numbers.models import Kind, PhoneNumber, ProvisioningStatus, UseCase
from phone_numbers.usage import IN_USE_CAMPAIGN_STATUSES
from provisioning.area_codes import AreaCodeError, area_codes_parse
from provisioning.services import ProvisioningError, number_order, number_release

EDITABLE_WHEN_LIVE = ("name", "start_at", "idk")


@dataclass(frozen=True)
class CampaignSettings:
    """What the campaign form edits."""

    name: str
    office: Office
    initial_message: str = ""
    start_at: datetime | None = None
    use_case: UseCase | None = None
    number_choice: str = NumberChoice.SINGLE_USE
    area_codes: list[str] = field(default_factory=list)
    phone_number: PhoneNumber | None = None
    idk: str = CampaignIdk.AGENT


# --- create and edit ----------------------------------------------------------------------
@transaction.atomic
def campaign_create(
    *, organization: Organization, created_by: User, settings: CampaignSettings
) -> Campaign:
    _check_settings(organization=organization, settings=settings, columns=None)
    campaign = Campaign(organization=organization, created_by=created_by)
    _apply(campaign, settings)
    campaign.save()
    campaign_timeline_start(campaign, by=created_by, reason="Created")
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, settings: CampaignSettings) -> Campaign:
    """A draft changes everything but a follow-up's number; a launching or active campaign
    changes only its name and start date; an archived one nothing."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.ARCHIVED:
        raise CampaignError(f"“{campaign.name}” is archived and can no longer be edited.")
    if campaign.status != CampaignStatus.DRAFT:
        campaign.name, campaign.start_at = settings.name, settings.start_at
        campaign.idk = settings.idk
        campaign.save(update_fields=[*EDITABLE_WHEN_LIVE, "updated_at"])
        return campaign
    if campaign.is_follow_up:
        settings = _with_parent_number(campaign, settings)
    # A draft without contacts does not know its columns yet: the upload checks the fields.
    columns = campaign.contact_fields if campaign.contacts.exists() else None
    _check_settings(organization=campaign.organization, settings=settings, columns=columns)
    _apply(campaign, settings)
    campaign.save()
    return campaign


def _with_parent_number(campaign: Campaign, settings: CampaignSettings) -> CampaignSettings:
    return CampaignSettings(
        name=settings.name,
        office=campaign.office,
        initial_message=settings.initial_message,
        start_at=settings.start_at,
        use_case=campaign.use_case,
        number_choice=campaign.number_choice,
        area_codes=campaign.area_codes,
        phone_number=campaign.phone_number,
        idk=settings.idk,
    )


def _apply(campaign: Campaign, settings: CampaignSettings) -> None:
    campaign.name = settings.name.strip()
    campaign.office = settings.office
    campaign.initial_message = settings.initial_message
    campaign.start_at = settings.start_at
    campaign.idk = settings.idk
    campaign.use_case = settings.use_case
    campaign.number_choice = settings.number_choice
    single_use = settings.number_choice == NumberChoice.SINGLE_USE
    campaign.area_codes = list(settings.area_codes) if single_use else []
    if not (single_use and campaign.parent_id is None):
        campaign.phone_number = settings.phone_number
    else:
        campaign.phone_number = None


def _check_settings(
    *, organization: Organization, settings: CampaignSettings, columns: list[str] | None
) -> None:
    if settings.office.organization_id != organization.pk:
        raise CampaignError("Choose one of your organization's offices.", field="office")
    if settings.use_case and settings.use_case.organization_id != organization.pk:
        raise CampaignError("Choose one of your organization's use cases.", field="use_case")
    _check_message(settings.initial_message, columns=columns)
    _check_number(organization=organization, settings=settings)


def _check_message(text: str, *, columns: list[str] | None) -> None:
    """Every ``{field}`` of the initial message is a column of the contacts; with ``columns``
    None (no contacts yet) only that the message can be read."""
    unknown = message_unknown_fields(text, columns=columns or [])
    if unknown and columns is not None:
        raise CampaignError(
            f"Your contacts have no column for {unknown.unknown_text}. "
            f"Fields you can use: {unknown.usable_text}.",
            field="initial_message",
        )


def _check_number(*, organization: Organization, settings: CampaignSettings) -> None:
    choice, number = settings.number_choice, settings.phone_number
    if choice == NumberChoice.SINGLE_USE:
        try:
            area_codes_parse(settings.area_codes)
        except AreaCodeError as error:
            raise CampaignError(str(error), field="area_codes") from error
        if settings.use_case is None:
            raise CampaignError(
                "Choose the 10DLC use case the single-use number is provisioned under.",
                field="use_case",
            )
        return
    where = f"{choice}_number"
    if number is None or number.organization_id != organization.pk:
        raise CampaignError(f"Choose a {Kind(choice).label.lower()} number.", field=where)
    if number.kind != choice:
        raise CampaignError(f"{number} is not a {Kind(choice).label.lower()} number.", field=where)
    if not number.is_usable:
        raise CampaignError(
            f"{number} is not provisioned yet ({number.get_provisioning_status_display()}).",
            field=where,
        )
    if choice == NumberChoice.REUSABLE and number.office_id != settings.office.pk:
        raise CampaignError(
            f"{number} belongs to another office; choose one of the numbers of {settings.office}.",
            field=where,
        )


# --- senders ------------------------------------------------------------------------------
@transaction.atomic
def campaign_sender_add(*, campaign: Campaign, user: User, added_by: User) -> CampaignSender:
    """Adds a sender. On an active campaign they get their assignment e-mail at once."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _check_senders_change(campaign)
    is_sender = Membership.objects.filter(
        organization=campaign.organization, user=user, role=Role.SENDER
    ).exists()
    if not is_sender:
        raise CampaignError(f"{user.email} is not a sender of your organization.", field="user")
    sender, created = CampaignSender.objects.get_or_create(
        campaign=campaign, user=user, defaults={"added_by": added_by}
    )
    if not created:
        raise CampaignError(f"{user.display_name} is already a sender here.", field="user")
    if campaign.mails_assignment_on_add:
        campaign_email_assignment(campaign, user)
    return sender


def _check_senders_change(campaign: Campaign) -> None:
    if campaign.accepts_senders:
        return
    if campaign.provisioning_failed:
        raise CampaignError(
            f"Provisioning failed for “{campaign.name}”, so its senders no longer change. "
            "Clone it: the clone keeps its senders."
        )
    raise CampaignError(f"“{campaign.name}” is archived; its senders no longer change.")


@transaction.atomic
def campaign_sender_remove(*, campaign: Campaign, user: User) -> None:
    """Removes a sender; the contacts they had not texted yet go back to Unassigned."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _check_senders_change(campaign)
    contacts_take_back(campaign=campaign, sender=user)
    CampaignSender.objects.filter(campaign=campaign, user=user).delete()


# --- launch ---------------------------------------------------------------------------------
@transaction.atomic
def campaign_launch(*, campaign: Campaign, launched_by: User) -> Campaign:
    """Launches a draft: on a number it already has (dedicated, reusable, a follow-up's)
    straight to active; a single-use campaign orders its number first."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _check_launchable(campaign)
    if campaign.orders_its_number:
        return _launch_ordering_a_number(campaign, launched_by)
    return _launch_on_its_number(campaign, launched_by)


def _check_launchable(campaign: Campaign) -> None:
    if campaign.provisioning_failed:
        raise CampaignError(
            f"Provisioning failed for “{campaign.name}”, so it cannot be launched again. "
            "Clone it to launch a fresh copy."
        )
    if campaign.status != CampaignStatus.DRAFT:
        raise CampaignError(
            f"“{campaign.name}” is already {campaign.get_status_display().lower()}."
        )
    if not campaign.initial_message.strip():
        raise CampaignError("Write the initial message before launching.")
    if not campaign.contacts.exists():
        raise CampaignError("Upload contacts before launching.")
    unknown = message_unknown_fields(campaign.initial_message, columns=campaign.contact_fields)
    if unknown:
        raise CampaignError(
            f"The initial message uses {unknown.unknown_text}, which the contacts do not "
            f"have. Edit the message to use only the fields they have: {unknown.usable_text}.",
            field="initial_message",
        )


def _launch_ordering_a_number(campaign: Campaign, launched_by: User) -> Campaign:
    """Orders the single-use number and moves the campaign to launching in the caller's
    transaction: a refused order (the use case is full) buys nothing and leaves a draft."""
    if campaign.use_case is None:
        raise CampaignError(
            "Choose the 10DLC use case the single-use number is provisioned under.",
            field="use_case",
        )
    try:
        number = number_order(
            organization=campaign.organization,
            kind=Kind.SINGLE_USE,
            use_case=campaign.use_case,
            area_codes=list(campaign.area_codes),
            requested_by=launched_by,
        )
    except ProvisioningError as error:
        raise CampaignError(str(error)) from error
    return campaign_transition(
        campaign=campaign,
        to=CampaignStatus.LAUNCHING,
        by=launched_by,
        reason=(
            f"Launched; a single-use number is being bought in {campaign.area_codes_phrase} "
            "and provisioned"
        ),
        changes={
            "phone_number": number,
            "launched_by": launched_by,
            "launched_at": timezone.now(),
        },
    )


def _launch_on_its_number(campaign: Campaign, launched_by: User) -> Campaign:
    if campaign.phone_number_id is None:
        raise CampaignError("Choose a phone number before launching.")
    # Locking the number serialises launches on it; the partial unique constraint backs this.
    number = PhoneNumber.objects.select_for_update().get(pk=campaign.phone_number_id)
    if not number.is_usable:
        raise CampaignError(
            f"{number} is not provisioned ({number.get_provisioning_status_display()}); "
            "a campaign can only text on a provisioning-complete number."
        )
    if campaign.number_choice == NumberChoice.REUSABLE:
        _check_reusable_available(campaign, number)
    try:
        with transaction.atomic():
            return campaign_transition(
                campaign=campaign,
                to=CampaignStatus.ACTIVE,
                by=launched_by,
                reason=_launch_reason(campaign, number),
                changes={"launched_by": launched_by, "launched_at": timezone.now()},
            )
    except IntegrityError as error:
        raise CampaignError(f"{number} is in use by another active campaign.") from error


def _check_reusable_available(campaign: Campaign, number: PhoneNumber) -> None:
    if number.office_id != campaign.office_id:
        # The number moved to another office after the draft chose it.
        raise CampaignError(
            f"{number} now belongs to {number.office}; choose one of the reusable numbers of "
            f"{campaign.office}."
        )
    other = (
        Campaign.objects.filter(phone_number=number, status__in=IN_USE_CAMPAIGN_STATUSES)
        .exclude(pk=campaign.pk)
        .first()
    )
    if other is not None:
        raise CampaignError(
            f"{number} is in use by “{other.name}”. Archive that campaign or choose "
            "another reusable number."
        )


def _launch_reason(campaign: Campaign, number: PhoneNumber) -> str:
    if campaign.is_follow_up:
        return f"Follow-up launched on {number}, already provisioned"
    return f"Launched on {campaign.get_number_choice_display().lower()} {number}"


# --- the number's provisioning finished ------------------------------------------------------
@transaction.atomic(savepoint=False)
def campaigns_number_finished(*, phone_numbers: Sequence[PhoneNumber]) -> list[Campaign]:
    """Moves on every launching campaign on these numbers: complete → active, failed → back
    to draft with ``provisioning_failed``. Called by the provisioning hook inside the
    transaction that finished the numbers; the campaigns of a whole batch are found with one
    query, and a repeated task finds none still launching, so nothing happens twice. No savepoint
    of its own inside the door's transaction: an error here rolls the whole batch back (the
    poller then applies it number by number).

    Only a number in use (``PhoneNumber.in_use``, which the database keeps from the campaigns:
    ``campaigns.sql``) can have a launching campaign — a campaign starts launching in the
    transaction that orders its number — so a batch without one costs no query."""
    numbers = {number.pk: number for number in phone_numbers if number.in_use}
    if not numbers:
        return []
    launching = Campaign.objects.select_for_update().filter(
        phone_number_id__in=list(numbers), status=CampaignStatus.LAUNCHING
    )
    moved = []
    for campaign in launching.order_by("pk"):
        number = numbers[campaign.phone_number_id]  # type: ignore[index]
        if number.provisioning_status == ProvisioningStatus.COMPLETE:
            moved.append(_activate(campaign, number))
        elif number.provisioning_status == ProvisioningStatus.FAILED:
            moved.append(_return_to_draft(campaign, number))
    return moved


def _activate(campaign: Campaign, number: PhoneNumber) -> Campaign:
    return campaign_transition(
        campaign=campaign,
        to=CampaignStatus.ACTIVE,
        by=None,
        reason=f"{number.e164} is provisioned: provisioning complete",
    )


def _return_to_draft(campaign: Campaign, number: PhoneNumber) -> Campaign:
    return campaign_transition(
        campaign=campaign,
        to=CampaignStatus.DRAFT,
        by=None,
        reason=provisioning_failure(number)[:500],
        changes={"provisioning_failed": True},
    )


# --- archive --------------------------------------------------------------------------------
@transaction.atomic
def campaign_archive(*, campaign: Campaign, archived_by: User) -> Campaign:
    """Archives a draft or an active campaign. A single-use number goes back to the carrier
    (after commit, idempotently) once no other campaign — a follow-up — still uses it; a
    reusable number behaves by its own defaults again (derived, nothing to copy back); a
    dedicated number stays. A launching campaign waits for its number's outcome first."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.LAUNCHING:
        raise CampaignError(
            f"“{campaign.name}” is launching: its number is still being provisioned. Archive "
            "it once it is active, or once provisioning has failed."
        )
    archived = campaign_transition(
        campaign=campaign,
        to=CampaignStatus.ARCHIVED,
        by=archived_by,
        reason="Archived",
        changes={"archived_at": timezone.now()},
    )
    number = archived.phone_number
    # A provisioning-failed draft's number went back to the carrier when it failed.
    if archived.provisioning_failed or number is None or number.kind != Kind.SINGLE_USE:
        return archived
    if not _still_used(number):
        number_release(phone_number=number)
    return archived


def _still_used(number: PhoneNumber) -> bool:
    return (
        Campaign.objects.filter(phone_number=number)
        .exclude(status=CampaignStatus.ARCHIVED)
        .exists()
    )


# --- clone ----------------------------------------------------------------------------------
@transaction.atomic
def campaign_clone(*, campaign: Campaign, cloned_by: User) -> Campaign:
    """A fresh draft with the same settings, contacts and senders. A single-use number is
    never copied: the clone buys its own at launch."""
    keeps_number = campaign.number_choice != NumberChoice.SINGLE_USE
    clone = Campaign.objects.create(
        organization=campaign.organization,
        office=campaign.office,
        name=f"Copy of {campaign.name}"[:200],
        initial_message=campaign.initial_message,
        start_at=campaign.start_at,
        idk=campaign.idk,
        use_case=campaign.use_case,
        number_choice=campaign.number_choice,
        area_codes=campaign.area_codes,
        phone_number=campaign.phone_number if keeps_number else None,
        self_assign=campaign.self_assign,
        batch_size=campaign.batch_size,
        contact_fields=campaign.contact_fields,
        cloned_from=campaign,
        created_by=cloned_by,
    )
    if not keeps_number and not clone.area_codes and campaign.phone_number:
        # A single-use follow-up had no area codes of its own: prefer its number's.
        clone.area_codes = [campaign.phone_number.e164[2:5]] if campaign.phone_number.e164 else []
        clone.save(update_fields=["area_codes"])
    contacts_copy(contacts=campaign.contacts.all(), campaign_id=clone.pk)
    CampaignSender.objects.bulk_create(
        CampaignSender(campaign=clone, user_id=user_id, added_by=cloned_by)
        for user_id in campaign.senders.values_list("user_id", flat=True)
    )
    campaign_timeline_start(clone, by=cloned_by, reason=f"Cloned from “{campaign.name}”")
    return clone


# --- follow-up ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Targeting:
    """Who a follow-up leaves out of the parent's contacts. Opted-out people always are."""

    exclude_replied: bool = False
    exclude_not_replied: bool = False
    exclude_phones: frozenset[str] = frozenset()


def follow_up_audience(*, parent: Campaign, targeting: Targeting) -> QuerySet[Contact]:
    contacts = parent.contacts.exclude(
        phone__in=OptOut.objects.filter(organization_id=parent.organization_id).values("phone")
    )
    if targeting.exclude_replied:
        contacts = contacts.filter(last_reply_at__isnull=True)
    if targeting.exclude_not_replied:
        contacts = contacts.filter(last_reply_at__isnull=False)
    if targeting.exclude_phones:
        contacts = contacts.exclude(phone__in=targeting.exclude_phones)
    return contacts


def follow_up_check_parent(parent: Campaign) -> None:
    if parent.status not in (CampaignStatus.ACTIVE, CampaignStatus.ARCHIVED):
        raise CampaignError("A follow-up starts from an active or archived campaign.")
    number = parent.phone_number
    if number is None or not number.is_usable:
        raise CampaignError(
            f"“{parent.name}”'s number is no longer provisioned, so a follow-up cannot use it."
        )


@transaction.atomic
def campaign_follow_up_create(
    *,
    parent: Campaign,
    created_by: User,
    name: str,
    initial_message: str,
    targeting: Targeting,
) -> Campaign:
    """A draft on the parent's number (no provisioning wait) whose contacts are the parent's
    minus those targeting removes."""
    follow_up_check_parent(parent)
    _check_message(initial_message, columns=parent.contact_fields)
    follow_up = Campaign.objects.create(
        organization=parent.organization,
        office=parent.office,
        name=name.strip(),
        initial_message=initial_message,
        use_case=parent.use_case,
        number_choice=parent.number_choice,
        phone_number=parent.phone_number,
        contact_fields=parent.contact_fields,
        parent=parent,
        created_by=created_by,
    )
    copied = contacts_copy(
        contacts=follow_up_audience(parent=parent, targeting=targeting), campaign_id=follow_up.pk
    )
    if copied == 0:
        raise CampaignError("No contacts remain after targeting; remove fewer people.")
    campaign_timeline_start(
        follow_up, by=created_by, reason=f"Follow-up to “{parent.name}”: {copied} of its contacts"
    )
    return follow_up
