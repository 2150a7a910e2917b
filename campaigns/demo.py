"""The demo organization's numbers and campaigns, every state at once (``seed_demo``).

Everything is made the way a person and the engine make it: numbers are ordered and then
bought, submitted and polled by the provisioning engine; campaigns are created, given contacts
and senders, launched and archived through their services. So the timelines, the attempts and
the outbox hold exactly what the product writes.

The demo's past (numbers already green or red, campaigns already live, failed or archived) is
played while seeding on compressed time (``_decisions_at_once``): the simulated carriers decide
at once and each number is polled straight away. What happens now (numbers provisioning while
you watch, a campaign launching) is submitted to the carriers with their configured latency and
left to the poller of ``make run``.

Each number and campaign is found by its name (a dedicated number by its area codes) and made
only when it is missing, so seeding again changes nothing.

The texting half (``demo_texting_seed``) is played the same way: senders are given contacts and
send through the messenger's own *Send*, the worker's task delivers (run here at commit), and
the replies and texts to reusable numbers come in through the inbound webhook's code and the
router, each with a stable carrier message id so a second seeding finds them received. The send
rules are the product's: a text the gate would hold back now (outside texting hours in the
contact's time zone) is not sent, and seeding again within texting hours sends it.
"""

import dataclasses
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from celery import current_app
from django.conf import settings
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from campaigns.assignment import contacts_assign
from campaigns.contacts_import import contacts_file_read, contacts_import
from campaigns.errors import CampaignError
from campaigns.models import Campaign, CampaignStatus, Contact, NumberChoice
from campaigns.sending import SendRefused, initial_message_send_assigned, within_texting_hours
from campaigns.services import (
    CampaignSettings,
    campaign_archive,
    campaign_create,
    campaign_launch,
    campaign_sender_add,
    campaign_update,
)
from inboxes.models import BotAnswer, Inbox
from offices.models import Office, Organization
from phone_numbers.models import Kind, PhoneNumber, ProvisioningStatus, ResponseType, UseCase
from provisioning.polling import provisioning_poll_now
from provisioning.services import number_order
from provisioning.submitting import number_submit
from texting.forms import BotAnswerForm
from texting.routing import inbound_route
from texting.simulated import simulated_text_receive


class DemoError(Exception):
    """The demo could not be built as described; the message says what went wrong."""


# --- what the demo holds --------------------------------------------------------------------
@dataclass(frozen=True)
class DemoNumber:
    kind: Kind
    area_codes: tuple[str, ...]
    # Provisioning while you watch (the poller finishes it); else decided while seeding.
    while_you_watch: bool = False
    name: str = ""
    description: str = ""
    office: str = ""
    agent: str = ""
    inboxes: tuple[str, ...] = ()
    response_type: str = ""


ADMISSIONS, FINANCIAL_AID = "Admissions", "Financial Aid"
MAIN_LINE = DemoNumber(Kind.DEDICATED, ("415", "628"))
ADMISSIONS_LINE = DemoNumber(
    Kind.REUSABLE,
    ("212",),
    name="Admissions line",
    office=ADMISSIONS,
    description="Prospective students reach an admissions counselor.",
    agent="Maria Lopez",
    inboxes=("Admissions front desk", "Campus visits"),
    response_type=ResponseType.AGENT,
)
CAMPUS_VISITS_LINE = DemoNumber(
    Kind.REUSABLE,
    ("646",),
    name="Campus visits",
    office=ADMISSIONS,
    description="Questions about tours and visit days.",
    agent="Jordan Lee",
    inboxes=("Campus visits",),
    response_type=ResponseType.AGENT,
)
FAFSA_BOT = DemoNumber(
    Kind.REUSABLE,
    ("305",),
    name="FAFSA bot",
    office=FINANCIAL_AID,
    description="Answers FAFSA questions; the bot replies.",
    inboxes=("FAFSA help",),
    response_type=ResponseType.BOT,
)
NUMBERS = (
    MAIN_LINE,
    # The simulated carriers reject 998 twice, then approve: three rows in its Attempts table.
    DemoNumber(Kind.DEDICATED, ("998",)),
    # ... and reject 999 every time: five attempts, then red with the last reason.
    DemoNumber(Kind.DEDICATED, ("999",)),
    DemoNumber(Kind.DEDICATED, ("510",), while_you_watch=True),
    ADMISSIONS_LINE,
    CAMPUS_VISITS_LINE,
    FAFSA_BOT,
    DemoNumber(
        Kind.REUSABLE,
        ("786",),
        name="Aid counselor",
        office=FINANCIAL_AID,
        while_you_watch=True,
        description="Students text a financial aid counselor.",
        agent="Sam Rivera",
        inboxes=("FAFSA help",),
        response_type=ResponseType.AGENT,
    ),
)

SENDER1, SENDER2 = "sender1@demo.longcode.test", "sender2@demo.longcode.test"
PROVISIONING_FAILED = "provisioning_failed"


@dataclass(frozen=True)
class DemoCampaign:
    name: str
    office: str
    message: str
    shows: str  # a CampaignStatus, or PROVISIONING_FAILED
    senders: tuple[str, ...]
    contacts: range  # people of the pool (_contact_row)
    number: DemoNumber | None = None  # dedicated or reusable; single-use takes area codes
    area_codes: tuple[str, ...] = ()


CAMPAIGNS = (
    DemoCampaign(
        "Spring open house",
        ADMISSIONS,
        "Hi {first_name}! Spring open house is Saturday at 10am. Bring a friend from {school}.",
        CampaignStatus.ACTIVE,
        (SENDER1, SENDER2),
        range(36),
        number=MAIN_LINE,
    ),
    DemoCampaign(
        "Campus tour reminders",
        ADMISSIONS,
        "Hi {first_name}, your campus tour is this week. Text us here with any questions.",
        CampaignStatus.ACTIVE,
        (SENDER1,),
        range(12, 36),
        number=ADMISSIONS_LINE,
    ),
    DemoCampaign(
        "Summer orientation",
        ADMISSIONS,
        "Welcome to Demo College, {first_name}! Summer orientation starts June 12.",
        CampaignStatus.ARCHIVED,
        (SENDER1, SENDER2),
        range(30),
        area_codes=("718",),
    ),
    DemoCampaign(
        "Work-study info session",
        FINANCIAL_AID,
        "Hi {first_name}, learn about work-study jobs on campus Thursday at 4pm.",
        PROVISIONING_FAILED,
        (SENDER2,),
        range(20, 48),
        area_codes=("999",),
    ),
    DemoCampaign(
        "Fall visit day",
        ADMISSIONS,
        "Hi {first_name}! Join us for Fall visit day; {school} students get a reserved tour.",
        CampaignStatus.DRAFT,
        (SENDER1,),
        range(4, 36),
        area_codes=("212", "646"),
    ),
    DemoCampaign(
        "Scholarship deadline",
        FINANCIAL_AID,
        "Hi {first_name}, scholarship applications close Friday. Need help? Reply here.",
        CampaignStatus.LAUNCHING,
        (SENDER1, SENDER2),
        range(8, 48),
        area_codes=("917", "347"),
    ),
)

# One string each, split: a name per line would make these two lists 40 lines long.
FIRST_NAMES = (  # noqa: SIM905
    "Ava Liam Maya Noah Zoe Ethan Isabella Lucas Chloe Mateo "
    "Priya Owen Sofia Elijah Amara Jack Leah Diego Nora Caleb"
).split()
LAST_NAMES = (  # noqa: SIM905
    "Garcia Nguyen Okafor Smith Patel Kim Johnson Rossi Cohen Williams "
    "Haddad Brown Silva Murphy Tanaka Lopez Ali Jones Novak Davis"
).split()
SCHOOLS = (
    "Lincoln High",
    "Roosevelt High",
    "Jefferson Academy",
    "Kennedy Prep",
    "Washington High",
    "Franklin Charter",
)
CONTACT_AREA_CODES = ("212", "718", "917", "347", "646")


def _contact_row(k: int) -> tuple[str, str, str, str]:
    """Person ``k`` of the pool: a phone in the 555-01xx range, kept for fiction, and a school."""
    return (
        f"({CONTACT_AREA_CODES[k % 5]}) 555-{100 + k:04d}",
        FIRST_NAMES[k % 20],
        LAST_NAMES[(k * 7 + k // 20) % 20],
        SCHOOLS[(k * 5) % 6],
    )


@dataclass(frozen=True)
class Stage:
    """The demo organization's foundations that numbers and campaigns are made on."""

    organization: Organization
    admin: User
    use_case: UseCase
    offices: dict[str, Office]
    inboxes: dict[str, Inbox]
    people: dict[str, User]


# --- building it ------------------------------------------------------------------------------
def demo_numbers_and_campaigns_seed(*, stage: Stage) -> None:
    """The demo's past on compressed time, then what happens while you watch."""
    numbers: dict[DemoNumber, PhoneNumber] = {}
    with _decisions_at_once():
        for spec in NUMBERS:
            if not spec.while_you_watch:
                numbers[spec] = _decided(_number(stage, spec))
        for campaign in CAMPAIGNS:
            if campaign.shows != CampaignStatus.LAUNCHING:
                _campaign(stage, campaign, numbers)
    for spec in NUMBERS:
        if spec.while_you_watch:
            _submitted(_number(stage, spec))
    for campaign in CAMPAIGNS:
        if campaign.shows == CampaignStatus.LAUNCHING:
            _campaign(stage, campaign, numbers)


@contextmanager
def _decisions_at_once() -> Iterator[None]:
    """The simulated carriers decide at once and with their default rules (999 always
    rejected, 998 rejected twice, no injected faults), whatever the environment says."""
    with override_settings(
        SIMULATED_CARRIER_LATENCY="0-0",
        SIMULATED_CARRIER_ERROR_RATE=0,
        SIMULATED_CARRIER_FAIL_AREA_CODES=["999"],
        SIMULATED_CARRIER_FLAKY_AREA_CODES="998:2",
        SIMULATED_CARRIER_EMPTY_AREA_CODES=["000"],
    ):
        yield


@contextmanager
def tasks_here_and_mail_to_nowhere() -> Iterator[None]:
    """Runs the tasks the seeding leaves behind (submits it already made, releases of numbers
    the carriers rejected, e-mail deliveries) in this process once it commits, and delivers
    their e-mails to Django's dummy mailer: the e-mails stay in the outbox, marked sent, and
    the worker of ``make run`` starts with nothing of the seeding to do and no burst of a few
    dozen e-mails to print over the logins. Their "Task … succeeded" lines are not printed
    either."""
    conf, trace = current_app.conf, logging.getLogger("celery.app.trace")
    saved = conf.task_always_eager, conf.task_eager_propagates, trace.level
    conf.task_always_eager = conf.task_eager_propagates = True
    trace.setLevel(logging.WARNING)
    try:
        dummy = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
        with override_settings(MAILERS=dummy):
            yield
    finally:
        conf.task_always_eager, conf.task_eager_propagates, level = saved
        trace.setLevel(level)


# --- numbers --------------------------------------------------------------------------------
def _number(stage: Stage, spec: DemoNumber) -> PhoneNumber:
    """The demo's number of this description, ordered if it is missing."""
    numbers = PhoneNumber.objects.filter(organization=stage.organization, kind=spec.kind)
    if spec.kind == Kind.REUSABLE:
        found = numbers.filter(name=spec.name).first()
    else:
        found = numbers.filter(area_codes=list(spec.area_codes)).first()
    if found is not None:
        return found
    reusable: dict[str, Any] = {}
    if spec.kind == Kind.REUSABLE:
        reusable = {
            "office": stage.offices[spec.office],
            "name": spec.name,
            "description": spec.description,
            "agent": spec.agent,
            "inboxes": [stage.inboxes[name] for name in spec.inboxes],
            "response_type": spec.response_type,
        }
    return number_order(
        organization=stage.organization,
        kind=spec.kind,
        use_case=stage.use_case,
        area_codes=list(spec.area_codes),
        requested_by=stage.admin,
        **reusable,
    )


def _decided(number: PhoneNumber) -> PhoneNumber:
    """Runs the engine on the number until the carriers' decision is final, as the worker and
    the poller would: submit, poll, and submit a new number after each rejection."""
    for _ in range(3 * settings.PROVISIONING_MAX_ATTEMPTS):
        number.refresh_from_db()
        if number.provisioning_status == ProvisioningStatus.REQUESTED:
            number_submit(phone_number_id=number.pk)
        elif number.provisioning_status == ProvisioningStatus.INITIATED:
            provisioning_poll_now(phone_number_ids=[number.pk])
        else:
            return number
    raise DemoError(f"{number} is still {number.provisioning_status} after seeding its past.")


def _submitted(number: PhoneNumber) -> PhoneNumber:
    """Submitted to the carriers now, so its yellow tag turns green within their latency."""
    if number.provisioning_status == ProvisioningStatus.REQUESTED:
        number_submit(phone_number_id=number.pk)
        number.refresh_from_db()
    return number


# --- campaigns ------------------------------------------------------------------------------
def _campaign(stage: Stage, spec: DemoCampaign, numbers: dict[DemoNumber, PhoneNumber]) -> None:
    """The campaign, made and moved to the state it shows, if it is missing."""
    if Campaign.objects.filter(organization=stage.organization, name=spec.name).exists():
        return
    choice = NumberChoice(spec.number.kind) if spec.number else NumberChoice.SINGLE_USE
    draft_settings = CampaignSettings(
        name=spec.name,
        office=stage.offices[spec.office],
        use_case=stage.use_case,
        number_choice=choice,
        area_codes=list(spec.area_codes),
        phone_number=numbers[spec.number] if spec.number else None,
    )
    campaign = campaign_create(
        organization=stage.organization, created_by=stage.admin, settings=draft_settings
    )
    _contacts_upload(campaign, spec.contacts)
    # The message names {school}, a column of the contacts: it is written once they are in.
    campaign_update(
        campaign=campaign,
        settings=dataclasses.replace(draft_settings, initial_message=spec.message),
    )
    for email in spec.senders:
        campaign_sender_add(campaign=campaign, user=stage.people[email], added_by=stage.admin)
    if spec.shows != CampaignStatus.DRAFT:
        _launched(campaign, spec, stage.admin)


def _launched(campaign: Campaign, spec: DemoCampaign, admin: User) -> None:
    campaign = campaign_launch(campaign=campaign, launched_by=admin)
    number = campaign.phone_number
    if campaign.status != CampaignStatus.LAUNCHING or number is None:
        return  # on its dedicated or reusable number: active at once
    if spec.shows == CampaignStatus.LAUNCHING:
        _submitted(number)
        return
    # Complete → active, or failed → back to draft with its flag: the engine's hook does it.
    _decided(number)
    if spec.shows == CampaignStatus.ARCHIVED:
        campaign_archive(campaign=campaign, archived_by=admin)


def _contacts_upload(campaign: Campaign, people: Sequence[int]) -> None:
    """The people as an uploaded CSV file, read, checked and saved by the upload's own path."""
    lines = ["phone,first_name,last_name,school", *(",".join(_contact_row(k)) for k in people)]
    contacts_import(campaign=campaign, dataset=contacts_file_read("\n".join(lines).encode()))


# --- the texting half -------------------------------------------------------------------------
SPRING_OPEN_HOUSE = "Spring open house"
# Each sender's share of Spring open house: contacts given, and how many of them were texted
# (the rest wait in the messenger); the other contacts stay Unassigned.
ASSIGNMENTS = ((SENDER1, 10, 7), (SENDER2, 10, 4))
# Texted contacts who answered: the sender, the contact's place among those they texted, the text.
REPLIES = (
    (SENDER1, 0, "Yes! Can I bring my mom too?"),
    (SENDER1, 3, "What time does it end? I have practice at 1."),
    (SENDER2, 1, "Is parking free on Saturday?"),
    (SENDER1, 5, "STOP"),
)
# New people texting the reusable numbers. Admissions line is held by Campus tour reminders
# (its replies are the campaign's), so the agent-backed texts go to Campus visits.
TEXTS_IN = (
    (CAMPUS_VISITS_LINE, "+12125550170", "Hi, can we visit on a weekday? We're driving up."),
    (CAMPUS_VISITS_LINE, "+17185550171", "Do campus tours run over winter break?"),
    (FAFSA_BOT, "+19175550172", "When is the FAFSA deadline?"),
)
FAFSA_ANSWER = (
    "FAFSA deadline\nfafsa due",
    "The priority FAFSA deadline is March 1. Text us here if you would like help with it.",
)


def demo_texting_seed(*, stage: Stage) -> list[str]:
    """The messenger's past, the replies and the texts to reusable numbers, each once; returns
    a note for the command to print when texting hours held texts back (none otherwise)."""
    campaign = Campaign.objects.select_related("organization", "phone_number").get(
        organization=stage.organization, name=SPRING_OPEN_HOUSE
    )
    held_back = 0
    # Archived (or otherwise changed) by hand since the last seeding: the demo leaves it so.
    for email, given, texted in ASSIGNMENTS if campaign.status == CampaignStatus.ACTIVE else ():
        held_back += _sender_share(campaign, stage.people[email], given=given, texted=texted)
    for email, place, body in REPLIES:
        contact = _texted(campaign, stage.people[email])[place : place + 1]
        if contact:
            _text_in(to=campaign.phone_number, phone=contact[0].phone, body=body, key=f"r{place}")
    _bot_answer(stage.offices[FINANCIAL_AID])
    for spec, phone, body in TEXTS_IN:
        number = _number(stage, spec)
        bot = spec.response_type == ResponseType.BOT
        if bot and not within_texting_hours(
            organization=stage.organization, phone=phone, now=timezone.now()
        ):
            # The bot's answer would be held back for good: the text comes in a later seeding.
            held_back += 1
            continue
        _text_in(to=number, phone=phone, body=body, key="t0")
    if not held_back:
        return []
    start, end = stage.organization.texting_hours_start, stage.organization.texting_hours_end
    return [
        f"{held_back} of the demo's texts wait for texting hours ({start:%H:%M} to {end:%H:%M} in "
        "each contact's time zone): run seed_demo again then to send them."
    ]


def _sender_share(campaign: Campaign, sender: User, *, given: int, texted: int) -> int:
    """Gives the sender their share and sends its first ``texted`` initial messages through
    the messenger's *Send*; returns how many of those the texting hours held back. What a
    person changed since the last seeding (a sender removed, a contact opted out by hand) is
    theirs: the service's refusal leaves that contact or share as it is."""
    held_back = 0
    try:
        missing = given - Contact.objects.filter(campaign=campaign, assignee=sender).count()
        if missing > 0:
            contacts_assign(campaign=campaign, sender=sender, count=missing)
    except CampaignError:
        return held_back
    share = Contact.objects.filter(campaign=campaign, assignee=sender).order_by("pk")[:texted]
    for contact in share:
        if contact.texted_at is not None:
            continue
        if not within_texting_hours(
            organization=campaign.organization, phone=contact.phone, now=timezone.now()
        ):
            held_back += 1
            continue
        try:
            initial_message_send_assigned(campaign=campaign, sender=sender, contact_pk=contact.pk)
        except SendRefused:
            continue
    return held_back


def _texted(campaign: Campaign, sender: User) -> list[Contact]:
    return list(
        Contact.objects.filter(
            campaign=campaign, assignee=sender, texted_at__isnull=False
        ).order_by("pk")
    )


def _text_in(*, to: PhoneNumber | None, phone: str, body: str, key: str) -> None:
    """A text from ``phone`` to our number as the simulated carrier delivers it (signed,
    through the inbound webhook's code), routed at once as ``simulate_inbound`` does. Its
    carrier message id is the same at every seeding: a text already received is left alone."""
    if to is None or not to.e164:
        raise DemoError(f"The demo's text from {phone} has no number of ours to go to.")
    received = simulated_text_receive(
        carrier_message_id=f"SIMIN-demo-{to.e164}-{phone}-{key}",
        to=to.e164,
        from_=phone,
        body=body,
    )
    for recorded in received:
        if recorded.inbound_id is not None:
            inbound_route(inbound_id=recorded.inbound_id)


def _bot_answer(office: Office) -> None:
    """The Financial Aid office's answer to FAFSA deadlines, added as its Bot page adds one."""
    phrases, answer = FAFSA_ANSWER
    if BotAnswer.objects.filter(office=office, answer=answer).exists():
        return
    form = BotAnswerForm({"phrases": phrases, "answer": answer})
    if not form.is_valid():
        raise DemoError(f"The demo's bot answer was refused: {form.errors.as_text()}")
    form.instance.office, form.instance.organization = office, office.organization
    form.save()
