"""Smoke run of the embedded default that `make run` uses (SQLite): migrate, seed the demo, check
the triggers, then walk every journey through Django's test Client as the person who takes it
(the demo admin, sender1, the office member, a newcomer following an invite link, the carrier
posting its signed webhooks), submitting each form as a person would, and open every main page.
The test suite runs on PostgreSQL only; this makes sure every write path works on the newcomer's
first command too.

Run by scripts/test.sh with DATABASE_URL pointing at a throwaway SQLite file and an in-memory
broker: no task is consumed (and none is left behind for a later `make run`), so where a
journey waits on a worker the script calls the task's function itself (the provisioning engine,
delivering a message, routing an inbound text), as the worker and beat would. Exits non-zero
naming the step on any server error or unexpected answer."""

import json
import os
import re
import sys
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from io import StringIO
from pathlib import Path
from typing import Any

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The simulated carriers decide at once, so the engine's polls below see their answer.
os.environ.setdefault("SIMULATED_CARRIER_LATENCY", "0-0")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.messages import get_messages  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from campaigns.models import Campaign, Contact, OptOut  # noqa: E402
from campaigns.self_assign import (  # noqa: E402
    SelfAssignRefused,
    campaign_self_assign_set,
    self_assign_claim,
)
from campaigns.sql import triggers_all  # noqa: E402
from inboxes.models import (  # noqa: E402
    BotAnswer,
    Conversation,
    IdkReview,
    InboundMessage,
    Inbox,
    Message,
)
from notifications.models import OutboxEmail  # noqa: E402
from offices.middleware import ORGANIZATION_SESSION_KEY  # noqa: E402
from offices.models import Membership, Organization, Role  # noqa: E402
from phone_numbers.models import Kind, PhoneNumber, ProvisioningStatus, UseCase  # noqa: E402
from phone_numbers.sql import triggers_missing  # noqa: E402
from provisioning.carriers.simulated import webhook_headers  # noqa: E402
from provisioning.delivery import message_deliver  # noqa: E402
from provisioning.polling import provisioning_poll  # noqa: E402
from provisioning.submitting import number_submit  # noqa: E402
from texting.routing import inbound_route  # noqa: E402


class SmokeFailure(Exception):
    pass


def fail_unless(condition: bool, problem: str) -> None:
    if not condition:
        raise SmokeFailure(problem)


# --- the database: migrated, seeded, every trigger in place as declared ---------------------
call_command("migrate", verbosity=0)
call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def triggers_as_declared() -> None:
    """The start-up check passes, and SQLite holds each trigger's current SQL (it keeps the
    text as written; PostgreSQL's side is tests/test_kept_columns.py)."""
    call_command("check", databases=["default"], stdout=open(os.devnull, "w"))  # noqa: SIM115
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        installed = {name: " ".join(sql.split()) for name, sql in cursor.fetchall()}
    for app, triggers in triggers_all():
        fail_unless(not triggers_missing(triggers), f"{app}: triggers missing")
        for trigger in triggers.sqlite:
            fail_unless(
                installed[trigger.name] == " ".join(trigger.sql.split()),
                f"{trigger.name} differs from {app}/sql.py's current SQL",
            )


admin = User.objects.get(email="admin@demo.longcode.test")
organization = admin.memberships.get().organization
sender = User.objects.get(email="sender1@demo.longcode.test")
# Use cases are registered by operators (no page): one of our own, so the demo's does not fill.
use_case, _ = UseCase.objects.get_or_create(
    organization=organization, name="Smoke outreach", defaults={"carrier_reference": "CSMOKE1"}
)
member = User.objects.get(email="member@demo.longcode.test")
# Texting hours cover the whole day, so the sending steps pass whenever CI runs them; the gate
# itself stays (the product's hours are the organization's setting, not the smoke run's).
Organization.objects.filter(pk=organization.pk).update(
    texting_hours_start=time.min, texting_hours_end=time.max
)
# A second organization of the admin's, for the header's switcher.
elsewhere = Organization.objects.create(name="Smoke elsewhere")
Membership.objects.create(user=admin, organization=elsewhere, role=Role.ADMIN)
# Someone who forgot their password (the reset journey changes it, so not a signed-in person's).
FORGETFUL = "forgetful@smoke.longcode.test"
if not User.objects.filter(email=FORGETFUL).exists():
    forgetful = User.objects.create_user(email=FORGETFUL, password="smoke-Forgotten-passphrase-1")
    Membership.objects.create(user=forgetful, organization=organization, role=Role.SENDER)
# The Client then keeps each response's template context (the upload token, the numbers found).
setup_test_environment()
# One browser per person; the newcomer follows the invite link signed out, the forgetful one
# resets their password, the carrier posts its webhooks.
clients = {
    name: Client() for name in ("admin", "sender", "member", "newcomer", "forgetful", "carrier")
}
clients["admin"].force_login(admin)
clients["sender"].force_login(sender)
clients["member"].force_login(member)

# What the journey creates, by name: the ids read from redirects, the upload token, …
found: dict[str, Any] = {}


@dataclass(frozen=True)
class Found:
    """A form value known only once an earlier step has run."""

    key: str


def resolved(value: Any) -> Any:
    if isinstance(value, Found):
        return found[value.key]
    if isinstance(value, list):
        return [resolved(item) for item in value]
    return value


# --- what a step checks once it answered ----------------------------------------------------
Response = Any  # the test Client's response, with its template context
Then = Callable[..., None]


def created(key: str) -> Then:
    """Remembers the id of what the form created, from the page it redirects to."""

    def then(response: Response) -> None:
        match = re.search(r"/(\d+)/$", response["Location"])
        if match is None:
            raise SmokeFailure(f"redirected to {response['Location']}, not to what it created")
        found[key] = int(match.group(1))

    return then


def campaign_is(
    key: str, status: str, *, failed: bool = False, contacts: int | None = None
) -> Then:
    def then(response: Response | None = None) -> None:
        campaign = Campaign.objects.get(pk=found[key])
        now = (campaign.status, campaign.provisioning_failed)
        problem = f"campaign is {now}, expected {(status, failed)}{flashed(response)}"
        fail_unless(now == (status, failed), problem)
        if contacts is not None:
            count = campaign.contacts.count()
            fail_unless(count == contacts, f"campaign has {count} contacts, expected {contacts}")

    return then


def upload_previewed(response: Response) -> None:
    report, confirm = response.context["report"], response.context["confirm"]
    fail_unless(confirm is not None, f"no confirm form: {form_errors(response)}")
    fail_unless((report.valid, report.skipped) == (3, 1), f"previewed {report}")
    found["upload"] = confirm.initial["upload"]


def numbers_found(response: Response) -> None:
    results = response.context["results"]
    fail_unless(results is not None and results.numbers, f"no numbers: {form_errors(response)}")
    found["e164"] = results.numbers[0].e164


def reusable_number_is(*, name: str, in_use: bool) -> Then:
    def then(response: Response) -> None:
        number = PhoneNumber.objects.get(pk=found["reusable"])
        kept = (number.name, number.inbox_names, number.office_name, number.in_use)
        fail_unless(kept == (name, "Front desk", "Smoke office", in_use), f"number has {kept}")

    return then


def searched_alone(key: str) -> Then:
    """The list shows the number found earlier as ``key``, and no other."""

    def then(response: Response) -> None:
        shown = [number.pk for number in response.context["page"].rows]
        fail_unless(shown == [found[key]], f"the search shows numbers {shown}")

    return then


def exported(response: Response) -> None:
    body = b"".join(response.streaming_content).decode()
    fail_unless(body.startswith("number,name,description,kind,"), f"header: {body[:80]}")
    reusable = PhoneNumber.objects.get(pk=found["reusable"])
    fail_unless(f"{reusable.e164},Smoke desk (edited)," in body, "the reusable number is missing")


def office_renamed(response: Response) -> None:
    numbers = PhoneNumber.objects.filter(office_id=found["office"])
    names = set(numbers.values_list("office_name", flat=True))
    fail_unless(names == {"Smoke office (renamed)"}, f"numbers keep office names {names}")


# --- the texting half: checks and the workers' part ------------------------------------------
def invite_link_shown(response: Response) -> None:
    shown = " ".join(str(message) for message in get_messages(response.wsgi_request))
    match = re.search(r"/join/([^/\s]+)/", shown)
    fail_unless(match is not None, f"no invite link shown{flashed(response)}")
    assert match is not None
    found["token"] = match.group(1)


def invite_link_regenerated(response: Response) -> None:
    found["old_token"] = found["token"]
    invite_link_shown(response)
    fail_unless(found["token"] != found["old_token"], "the same invite link again")


def join_refused(response: Response) -> None:
    names = [template.name for template in response.templates]
    fail_unless("campaigns/join_refused.html" in names, f"the link still opens: {names}")


def invite_link_off(response: Response) -> None:
    campaign = Campaign.objects.get(pk=found["on_dedicated"])
    fail_unless(not campaign.invite_enabled, f"the invite link is on{flashed(response)}")


def is_sender(email: str) -> Then:
    def then(response: Response) -> None:
        campaign = Campaign.objects.get(pk=found["on_dedicated"])
        joined = campaign.senders.filter(user__email=email).exists()
        fail_unless(joined, f"{email} is not a sender of the campaign{flashed(response)}")
        expected = f"/messenger/{campaign.pk}/"
        fail_unless(response["Location"] == expected, f"went to {response['Location']}")

    return then


def self_assign_on(response: Response) -> None:
    campaign = Campaign.objects.get(pk=found["on_dedicated"])
    fail_unless(campaign.self_assign, f"self-assign is off{flashed(response)}")


def assigned_to_sender(count: int) -> Then:
    def then(response: Response) -> None:
        mine = Contact.objects.filter(campaign_id=found["on_dedicated"], assignee=sender).count()
        fail_unless(mine == count, f"sender1 has {mine} contacts, expected {count}")

    return then


def contact_on_screen(response: Response) -> None:
    contact = response.context["contact"]
    fail_unless(contact is not None, "no contact on the sender's screen")
    fail_unless(not response.context["refusal"], f"refused: {response.context['refusal']}")
    found["contact"] = contact.pk
    found["contact_phone"] = contact.phone
    found["campaign_e164"] = contact.campaign.phone_number.e164


def message_recorded(key: str, idempotency_key: str) -> Then:
    def then(response: Response) -> None:
        message = Message.objects.filter(idempotency_key=idempotency_key.format(**found)).first()
        fail_unless(message is not None, f"no message recorded{flashed(response)}")
        assert message is not None
        found[key] = message.pk

    return then


def delivered(key: str) -> Callable[[], None]:
    """The worker's part: hands the queued message to the carrier."""

    def run() -> None:
        message_deliver(message_id=found[key])
        message = Message.objects.get(pk=found[key])
        fail_unless(message.status == "sent", f"the message is {message.status}, not sent")
        found[f"{key}_carrier_id"] = message.carrier_message_id

    return run


def delivery_report(key: str) -> Callable[[], dict[str, str]]:
    return lambda: {"id": found[f"{key}_carrier_id"], "status": "delivered", "reason": ""}


def message_is(key: str, status: str) -> Then:
    def then(response: Response | None = None) -> None:
        now = Message.objects.get(pk=found[key]).status
        fail_unless(now == status, f"the message is {now}, expected {status}")

    return then


def inbound_text(carrier_id: str, to: str, from_: str, body: str) -> Callable[[], dict[str, str]]:
    return lambda: {"id": carrier_id, "to": found[to], "from": found[from_], "body": body}


def routed(
    carrier_id: str,
    route: str,
    conversation: Callable[[], int | None] | None = None,
    note: str = "",
) -> Callable[[], None]:
    """The worker's part: routes the text the webhook recorded."""

    def run() -> None:
        inbound = InboundMessage.objects.get(carrier="simulated", carrier_message_id=carrier_id)
        inbound = inbound_route(inbound_id=inbound.pk)
        now = (inbound.route, inbound.conversation_id)
        wanted = (route, conversation() if conversation else inbound.conversation_id)
        fail_unless(now == wanted and note in inbound.note, f"routed to {now}: {inbound.note}")

    return run


def bot_text(carrier_id: str, body: str) -> Callable[[], dict[str, str]]:
    """A text to the reusable number, answered by the office's bot since its campaign ended."""

    def payload() -> dict[str, str]:
        e164 = PhoneNumber.objects.get(pk=found["reusable"]).e164 or ""
        return {"id": carrier_id, "to": e164, "from": "+12125550155", "body": body}

    return payload


def contact_conversation() -> int | None:
    return Contact.objects.get(pk=found["contact"]).conversation_id


def canned_count(count: int) -> Then:
    def then(response: Response) -> None:
        campaign = Campaign.objects.get(pk=found["on_dedicated"])
        now = list(campaign.canned_responses.values_list("pk", flat=True))
        fail_unless(len(now) == count, f"{len(now)} canned responses{flashed(response)}")
        found["canned"] = now[0] if now else None

    return then


def opted_out(phone: str | Found, *, expected: bool = True) -> Then:
    def then(response: Response) -> None:
        number = resolved(phone)
        now = OptOut.objects.filter(organization=organization, phone=number).first()
        fail_unless((now is not None) == expected, f"{number} opted out: {now is not None}")
        if now is not None:
            found["opt_out"] = now.pk

    return then


def simulated_inbound() -> None:
    out = StringIO()
    call_command(
        "simulate_inbound",
        to=found["campaign_e164"],
        from_="+12125550102",
        body="Who is this?",
        stdout=out,
    )
    printed = out.getvalue()
    fail_unless(printed.startswith("Routed: Campaign conversation"), f"printed {printed!r}")


def member_inbox() -> None:
    """An inbox of the member's office with an agent-backed number that delivers to it and
    that no campaign holds (the demo's), so the contact's answer comes back to the inbox."""
    for inbox in Inbox.objects.filter(organization=organization, office__name="Admissions"):
        number = inbox.phone_numbers.filter(
            office=inbox.office_id,
            kind=Kind.REUSABLE,
            provisioning_status=ProvisioningStatus.COMPLETE,
            response_type="agent",
            in_use=False,
        ).first()
        if number is not None:
            found["member_inbox"], found["member_number"] = inbox.pk, number.pk
            found["member_e164"] = number.e164
            return
    raise SmokeFailure("the demo's Admissions office has no inbox with a reusable number")


def conversation_is(status: str, assignee: User | None = None) -> Then:
    def then(response: Response | None = None) -> None:
        conversation = Conversation.objects.get(pk=found["direct"])
        now = (conversation.status, conversation.assignee_id)
        wanted = (status, assignee.pk if assignee else conversation.assignee_id)
        fail_unless(now == wanted, f"the conversation is {now}, expected {wanted}")

    return then


def direct_message_queued(response: Response) -> None:
    created("direct")(response)
    message = Message.objects.filter(conversation_id=found["direct"]).first()
    fail_unless(message is not None, "the 1:1 text was not recorded")
    assert message is not None
    found["direct_message"] = message.pk


def bot_answer_added(response: Response) -> None:
    answer = BotAnswer.objects.filter(office_id=found["office"]).order_by("-id").first()
    fail_unless(answer is not None, "no answer saved")
    assert answer is not None
    found["answer"] = answer.pk


def bot_answer_is(text: str | None) -> Then:
    def then(response: Response) -> None:
        answer = BotAnswer.objects.filter(pk=found["answer"]).first()
        now = answer.answer if answer else None
        fail_unless(now == text, f"the answer is {now!r}, expected {text!r}{form_errors(response)}")

    return then


def idk_review_saved(response: Response) -> None:
    review = IdkReview.objects.filter(office_id=found["office"]).first()
    fail_unless(review is not None and review.inbox_id == found["inbox"], "no IDK review inbox")


def opt_outs_previewed(response: Response) -> None:
    report, token = response.context["report"], response.context["token"]
    fail_unless(token is not None, f"no preview{form_errors(response)}")
    fail_unless(len(report.phones) == 2, f"previewed {report.phones}")
    found["opt_outs_token"] = token


def opt_outs_file() -> SimpleUploadedFile:
    rows = ["phone", "(212) 555-0181", "212-555-0182", "not a phone"]
    return SimpleUploadedFile("opt-outs.csv", "\n".join(rows).encode(), "text/csv")


def opt_outs_exported(response: Response) -> None:
    body = b"".join(response.streaming_content).decode()
    for phone in ("+12125550181", "+12125550182", found["contact_phone"]):
        fail_unless(phone in body, f"{phone} is missing from the export: {body[:200]}")


def time_zone_is(zone: str) -> Then:
    def then(response: Response) -> None:
        now = Organization.objects.get(pk=organization.pk).time_zone
        fail_unless(now == zone, f"the time zone is {now}{form_errors(response)}")

    return then


SMOKE_HELP = "Smoke College help: call 555-0100. Reply STOP to opt out."


def help_answered(carrier_id: str) -> Callable[[], None]:
    """The worker's part: routes a HELP text; its answer is the organization's help text."""

    def run() -> None:
        inbound = InboundMessage.objects.get(carrier="simulated", carrier_message_id=carrier_id)
        inbound = inbound_route(inbound_id=inbound.pk)
        answers = list(
            Message.objects.filter(conversation=inbound.conversation, direction="out")
            .order_by("-id")
            .values_list("body", flat=True)[:1]
        )
        fail_unless(
            inbound.route == "help" and answers == [SMOKE_HELP],
            f"routed to {inbound.route}, answered {answers}: {inbound.note}",
        )

    return run


def working_in(chosen: Organization) -> Then:
    def then(response: Response) -> None:
        now = clients["admin"].session.get(ORGANIZATION_SESSION_KEY)
        fail_unless(now == chosen.pk, f"the admin works in organization {now}")

    return then


def reset_mailed(response: Response) -> None:
    """The reset e-mail is in the outbox (the worker would send it); its link, for the next
    steps."""
    email = OutboxEmail.objects.filter(recipient=FORGETFUL).order_by("-pk").first()
    fail_unless(email is not None, f"no reset e-mail for {FORGETFUL}{form_errors(response)}")
    assert email is not None
    match = re.search(r"(/accounts/set-password/\S+/)", email.body_text)
    fail_unless(match is not None, f"no link in the reset e-mail: {email.body_text}")
    assert match is not None
    found["reset_link"] = match.group(1)


def reset_form_opened(response: Response) -> None:
    found["reset_form"] = response["Location"]


def signed_in_as(email: str) -> Then:
    def then(response: Response) -> None:
        user_id = clients["forgetful"].session.get("_auth_user_id")
        fail_unless(
            user_id == str(User.objects.get(email=email).pk),
            f"{email} is not signed in{form_errors(response)}",
        )

    return then


def direct_conversation() -> int | None:
    return int(found["direct"])


# --- the provisioning engine, where the worker and beat would run it -------------------------
def provisioned(key: str, expected: str) -> Callable[[], None]:
    """Submits the number of ``key`` (a campaign's, or the number itself) and polls the
    carriers at once, attempt after attempt, until it is final."""

    def run() -> None:
        pk: int = found[key]
        if key in CAMPAIGNS:
            pk = Campaign.objects.values_list("phone_number_id", flat=True).get(pk=pk)
        status = ""
        for _ in range(settings.PROVISIONING_MAX_ATTEMPTS):
            number_submit(phone_number_id=pk)
            # The first poll is due a while after submitting: make it due now.
            PhoneNumber.objects.filter(pk=pk).update(next_poll_at=timezone.now())
            provisioning_poll()
            status = PhoneNumber.objects.get(pk=pk).provisioning_status
            if status in (ProvisioningStatus.COMPLETE, ProvisioningStatus.FAILED):
                break
        fail_unless(status == expected, f"the number is {status}, expected {expected}")

    return run


CAMPAIGNS = {"failing", "clone", "follow_up", "on_dedicated", "on_reusable"}


# --- the journeys ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    name: str
    path: str = ""  # may name what earlier steps found: "/campaigns/{clone}/"
    form: dict[str, Any] | None = None  # POSTed when given (files too), else a GET
    status: int = 302
    then: Then | None = None
    run: Callable[..., None] | None = None  # instead of a request: the engine's part, a check
    who: str = "admin"  # whose browser: admin, sender (sender1), member (the office's), newcomer
    # A carrier's webhook instead of a form: the JSON it posts, signed as the carrier signs it.
    webhook: Callable[[], dict[str, str]] | None = None


def self_assigned(key: str) -> Callable[[], None]:
    """The sender presses Get more on the active campaign (the claim's SQLite version): a batch,
    the same batch for a retried request, and no second batch while that one waits."""

    def run() -> None:
        campaign = campaign_self_assign_set(
            campaign=Campaign.objects.get(pk=found[key]), on=True, batch_size=2
        )
        claim = self_assign_claim(campaign=campaign, sender=sender, request_key="smoke")
        fail_unless(claim.count == 2, f"Get more gave {claim.count} contacts, expected 2")
        again = self_assign_claim(campaign=campaign, sender=sender, request_key="smoke")
        fail_unless(again.pk == claim.pk, "a retried Get more made a second claim")
        try:
            self_assign_claim(campaign=campaign, sender=sender, request_key="smoke-2")
        except SelfAssignRefused:
            return
        raise SmokeFailure("Get more gave a second batch before the first was sent")

    return run


def campaign_form(name: str, office: str = "office", **number: Any) -> dict[str, Any]:
    return {
        "name": name,
        "office": Found(office),
        "initial_message": "Hi {first_name}, this is Smoke College.",
        "start_at": "",
        "use_case": use_case.pk,
        **number,
    }


def contacts_file() -> SimpleUploadedFile:
    rows = [
        "phone,first_name,last_name,school",
        "(212) 555-0101,Ada,Lovelace,Hunter",
        "212-555-0102,Grace,Hopper,Vassar",
        "+1 212 555 0103,Alan,Turing,",
        "not a phone,Bad,Row,",
    ]
    return SimpleUploadedFile("contacts.csv", "\n".join(rows).encode(), "text/csv")


def number_form(kind: str, action: str, **fields: Any) -> dict[str, Any]:
    return {
        "number_type": kind,
        "action": action,
        "use_case": use_case.pk,
        "area_codes": "415, 510",
        **fields,
    }


REUSABLE_DEFAULTS = {
    "name": "Smoke desk",
    "description": "Answers admissions questions",
    "office": Found("office"),
    "agent": "Dana",
    "inboxes": [Found("inbox")],
    "response_type": "agent",
}


def contacts_uploaded(key: str) -> list["Step"]:
    return [
        Step(
            "upload a contacts CSV (preview)",
            f"/campaigns/{{{key}}}/contacts/",
            {"file": contacts_file},
            status=200,
            then=upload_previewed,
        ),
        Step(
            "save the contacts",
            f"/campaigns/{{{key}}}/contacts/confirm/",
            {"upload": Found("upload")},
            then=campaign_is(key, "draft", contacts=3),
        ),
    ]


JOURNEY = [
    # Offices and inboxes
    Step(
        "create an office",
        "/offices/new/",
        {"name": "Smoke office", "number_quota": 3, "idk_default": "reply", "idk_message": "?"},
        then=created("office"),
    ),
    Step(
        "create an inbox",
        "/inboxes/new/",
        {"office": Found("office"), "name": "Front desk", "description": ""},
        then=created("inbox"),
    ),
    # A single-use campaign whose provisioning fails (area code 999 is always rejected)
    Step(
        "create a campaign (single-use, area code 999)",
        "/campaigns/new/",
        campaign_form("Smoke fails", number_choice="single_use", area_codes="999"),
        then=created("failing"),
    ),
    *contacts_uploaded("failing"),
    Step(
        "launch on a single-use number",
        "/campaigns/{failing}/launch/",
        {},
        then=campaign_is("failing", "launching"),
    ),
    Step("the carriers reject five attempts", run=provisioned("failing", "failed")),
    Step(
        "the campaign is a provisioning-failed draft",
        run=campaign_is("failing", "draft", failed=True),
    ),
    # Clone it, fix the area code, launch, go live
    Step("open Clone (the e-mail's link)", "/campaigns/{failing}/clone/", status=200),
    Step(
        "clone the provisioning-failed draft",
        "/campaigns/{failing}/clone/",
        {},
        then=created("clone"),
    ),
    Step("the clone has the contacts", run=campaign_is("clone", "draft", contacts=3)),
    Step(
        "edit the clone (area code 415)",
        "/campaigns/{clone}/edit/",
        campaign_form("Smoke lives", number_choice="single_use", area_codes="415"),
    ),
    Step("add a sender", "/campaigns/{clone}/senders/", {"user": sender.pk}),
    Step(
        "launch the clone on a single-use number",
        "/campaigns/{clone}/launch/",
        {},
        then=campaign_is("clone", "launching"),
    ),
    Step("the carriers approve the number", run=provisioned("clone", "complete")),
    Step("the clone is active", run=campaign_is("clone", "active")),
    Step("the sender self-assigns a batch", run=self_assigned("clone")),
    # A follow-up of the active campaign
    Step("open Create follow-up", "/campaigns/{clone}/follow-up/", status=200),
    Step(
        "count the follow-up's audience",
        "/campaigns/{clone}/follow-up/audience/",
        {"exclude_phones": "(212) 555-0101"},
        status=200,
    ),
    Step(
        "create a follow-up",
        "/campaigns/{clone}/follow-up/",
        {
            "name": "Smoke follow-up",
            "initial_message": "Still interested, {first_name}?",
            "exclude_phones": "(212) 555-0101",
        },
        then=created("follow_up"),
    ),
    Step(
        "the follow-up has the parent's contacts but one",
        run=campaign_is("follow_up", "draft", contacts=2),
    ),
    Step(
        "launch the follow-up",
        "/campaigns/{follow_up}/launch/",
        {},
        then=campaign_is("follow_up", "active"),
    ),
    Step(
        "archive the follow-up",
        "/campaigns/{follow_up}/archive/",
        {},
        then=campaign_is("follow_up", "archived"),
    ),
    # A dedicated number, and a campaign on it
    Step(
        "search numbers for a dedicated number",
        "/numbers/new/",
        number_form("dedicated", "search"),
        status=200,
        then=numbers_found,
    ),
    Step(
        "add a dedicated number",
        "/numbers/new/",
        number_form("dedicated", "order", e164=Found("e164")),
        then=created("dedicated"),
    ),
    Step("the dedicated number is provisioned", run=provisioned("dedicated", "complete")),
    Step(
        "create a campaign on the dedicated number",
        "/campaigns/new/",
        campaign_form(
            "Smoke dedicated", number_choice="dedicated", dedicated_number=Found("dedicated")
        ),
        then=created("on_dedicated"),
    ),
    *contacts_uploaded("on_dedicated"),
    Step(
        "launch on the dedicated number",
        "/campaigns/{on_dedicated}/launch/",
        {},
        then=campaign_is("on_dedicated", "active"),
    ),
    # A reusable number: add, edit, a campaign on it
    Step(
        "search numbers for a reusable number",
        "/numbers/new/",
        number_form("reusable", "search", **REUSABLE_DEFAULTS),
        status=200,
        then=numbers_found,
    ),
    Step(
        "add a reusable number",
        "/numbers/new/",
        number_form("reusable", "order", e164=Found("e164"), **REUSABLE_DEFAULTS),
        then=created("reusable"),
    ),
    Step("the reusable number is provisioned", run=provisioned("reusable", "complete")),
    Step(
        "edit the reusable number",
        "/numbers/{reusable}/edit/",
        {**REUSABLE_DEFAULTS, "name": "Smoke desk (edited)", "response_type": "bot"},
        then=reusable_number_is(name="Smoke desk (edited)", in_use=False),
    ),
    # The search text the database keeps: the new name, and the description, either case.
    Step(
        "search the numbers by the new name",
        "/numbers/?q=DESK (edited)",
        status=200,
        then=searched_alone("reusable"),
    ),
    Step(
        "search the numbers by the description",
        "/numbers/?q=admissions QUESTIONS",
        status=200,
        then=searched_alone("reusable"),
    ),
    Step(
        "create a campaign on the reusable number",
        "/campaigns/new/",
        campaign_form(
            "Smoke reusable", number_choice="reusable", reusable_number=Found("reusable")
        ),
        then=created("on_reusable"),
    ),
    *contacts_uploaded("on_reusable"),
    Step(
        "launch on the reusable number",
        "/campaigns/{on_reusable}/launch/",
        {},
        then=reusable_number_is(name="Smoke desk (edited)", in_use=True),
    ),
    Step(
        "archive the campaign on the reusable number",
        "/campaigns/{on_reusable}/archive/",
        {},
        then=reusable_number_is(name="Smoke desk (edited)", in_use=False),
    ),
    Step(
        "archive the single-use campaign",
        "/campaigns/{clone}/archive/",
        {},
        then=campaign_is("clone", "archived"),
    ),
    # The texting half, on the campaign on the dedicated number (active, three contacts)
    Step(
        "turn the invite link on",
        "/campaigns/{on_dedicated}/sender-panel/invite-link/",
        {"action": "on"},
        then=invite_link_shown,
    ),
    Step("open the invite link", "/join/{token}/", status=200, who="sender"),
    Step(
        "join by the invite link (signed in)",
        "/join/{token}/",
        {},
        who="sender",
        then=is_sender(sender.email),
    ),
    Step(
        "join by the invite link (a newcomer signs up)",
        "/join/{token}/",
        {
            "first_name": "Nia",
            "last_name": "Newcomer",
            "email": "newcomer@smoke.longcode.test",
            "password": "smoke-Run-passphrase-7",
        },
        who="newcomer",
        then=is_sender("newcomer@smoke.longcode.test"),
    ),
    Step(
        "regenerate the invite link",
        "/campaigns/{on_dedicated}/sender-panel/invite-link/",
        {"action": "regenerate"},
        then=invite_link_regenerated,
    ),
    Step("the old invite link opens nothing", "/join/{old_token}/", status=200, then=join_refused),
    Step(
        "turn the invite link off",
        "/campaigns/{on_dedicated}/sender-panel/invite-link/",
        {"action": "off"},
        then=invite_link_off,
    ),
    Step(
        "turn self-assign on",
        "/campaigns/{on_dedicated}/sender-panel/self-assign/",
        {"self_assign": "on", "batch_size": 2},
        then=self_assign_on,
    ),
    Step("open the messenger", "/messenger/", status=200, who="sender"),
    Step(
        "Get more (self-assign)",
        "/messenger/{on_dedicated}/get-more/",
        {"request_key": lambda: uuid.uuid4().hex},
        who="sender",
        then=assigned_to_sender(2),
    ),
    Step(
        "assign a contact from the sender panel",
        "/campaigns/{on_dedicated}/sender-panel/assign/",
        {"sender": sender.pk, "count": 1},
        then=assigned_to_sender(3),
    ),
    Step(
        "open the assignment",
        "/messenger/{on_dedicated}/",
        status=200,
        who="sender",
        then=contact_on_screen,
    ),
    Step(
        "send the initial message",
        "/messenger/{on_dedicated}/send/",
        {"contact": Found("contact")},
        who="sender",
        then=message_recorded("initial", "initial:{contact}"),
    ),
    Step("the worker delivers the initial message", run=delivered("initial")),
    Step(
        "the delivery-status webhook",
        "/hooks/simulated/status/",
        webhook=delivery_report("initial"),
        status=200,
        who="carrier",
        then=message_is("initial", "delivered"),
    ),
    Step(
        "the inbound webhook (the contact answers)",
        "/hooks/simulated/inbound/",
        webhook=inbound_text("SIMIN-smoke-1", "campaign_e164", "contact_phone", "Tell me more"),
        status=200,
        who="carrier",
    ),
    Step(
        "the worker routes the answer to the campaign conversation",
        run=routed("SIMIN-smoke-1", "campaign", contact_conversation),
    ),
    Step("open the replies", "/messenger/{on_dedicated}/replies/", status=200, who="sender"),
    Step(
        "add a canned response",
        "/campaigns/{on_dedicated}/sender-panel/canned-responses/",
        {"title": "Visit", "text": "Come visit us on Saturday!"},
        then=canned_count(1),
    ),
    Step(
        "open the conversation",
        "/messenger/{on_dedicated}/contacts/{contact}/",
        status=200,
        who="sender",
    ),
    Step(
        "reply in the messenger",
        "/messenger/{on_dedicated}/contacts/{contact}/",
        {"body": "Come visit us on Saturday!", "key": "smoke-reply"},
        who="sender",
        then=message_recorded("reply", "reply:{contact}:smoke-reply"),
    ),
    Step("the worker delivers the reply", run=delivered("reply")),
    Step(
        "delete the canned response",
        "/campaigns/{on_dedicated}/sender-panel/canned-responses/{canned}/delete/",
        {},
        then=canned_count(0),
    ),
    Step(
        "opt the contact out from the messenger",
        "/messenger/{on_dedicated}/contacts/{contact}/opt-out/",
        {},
        who="sender",
        then=opted_out(Found("contact_phone")),
    ),
    Step("manage.py simulate_inbound", run=simulated_inbound),
    # An inbox of the member's office: a 1:1 text, the answer, the tabs, reply, close, reopen
    Step("find the member's inbox", run=member_inbox),
    Step("open New message", "/inboxes/{member_inbox}/new/", status=200, who="member"),
    Step(
        "send a 1:1 text (New message)",
        "/inboxes/{member_inbox}/new/",
        {
            "number": Found("member_number"),
            "phone": "(212) 555-0199",
            "body": "Hello from Admissions",
            "key": "smoke-direct",
        },
        who="member",
        then=direct_message_queued,
    ),
    Step("the worker delivers the 1:1 text", run=delivered("direct_message")),
    Step(
        "the inbound webhook (the 1:1 contact answers)",
        "/hooks/simulated/inbound/",
        webhook=lambda: {
            "id": "SIMIN-smoke-2",
            "to": found["member_e164"],
            "from": "+12125550199",
            "body": "Thanks, what are your hours?",
        },
        status=200,
        who="carrier",
    ),
    Step(
        "the worker routes the answer to the inbox",
        run=routed("SIMIN-smoke-2", "inbox", direct_conversation),
    ),
    Step("the conversation needs attention", run=conversation_is("needs_attention")),
    *[
        Step(
            f"open the {tab} tab", f"/inboxes/{{member_inbox}}/?tab={tab}", status=200, who="member"
        )
        for tab in ("needs_attention", "open", "closed")
    ],
    Step(
        "open the inbox conversation", "/inboxes/conversations/{direct}/", status=200, who="member"
    ),
    Step(
        "reply in the inbox",
        "/inboxes/conversations/{direct}/reply/",
        {"body": "We open at nine.", "key": "smoke-inbox-reply"},
        who="member",
        then=message_recorded("inbox_reply", "agent:{direct}:smoke-inbox-reply"),
    ),
    Step(
        "close the conversation",
        "/inboxes/conversations/{direct}/close/",
        {},
        who="member",
        then=conversation_is("closed"),
    ),
    Step(
        "reopen the conversation",
        "/inboxes/conversations/{direct}/reopen/",
        {},
        who="member",
        then=conversation_is("open"),
    ),
    Step(
        "assign the conversation",
        "/inboxes/conversations/{direct}/assign/",
        {"assignee": member.pk},
        who="member",
        then=conversation_is("open", assignee=member),
    ),
    # The office's bot
    Step(
        "add a bot answer",
        "/offices/{office}/bot/",
        {"phrases": "hours\nopening times", "answer": "We open at nine."},
        then=bot_answer_added,
    ),
    Step(
        "edit the bot answer",
        "/offices/{office}/bot/{answer}/",
        {"phrases": "hours", "answer": "We open at nine, Monday to Friday."},
        then=bot_answer_is("We open at nine, Monday to Friday."),
    ),
    Step(
        "choose the IDK review inbox",
        "/offices/{office}/bot/review/",
        {"inbox": Found("inbox")},
        then=idk_review_saved,
    ),
    Step(
        "the inbound webhook (a text to the bot's number)",
        "/hooks/simulated/inbound/",
        webhook=bot_text("SIMIN-smoke-3", "What are your hours?"),
        status=200,
        who="carrier",
    ),
    Step(
        "the worker routes it to the bot, which answers",
        run=routed("SIMIN-smoke-3", "bot", note="The bot answered"),
    ),
    Step(
        "delete the bot answer",
        "/offices/{office}/bot/{answer}/",
        {"action": "delete"},
        then=bot_answer_is(None),
    ),
    Step(
        "the inbound webhook (a question the bot cannot answer)",
        "/hooks/simulated/inbound/",
        webhook=bot_text("SIMIN-smoke-4", "Is there parking?"),
        status=200,
        who="carrier",
    ),
    Step(
        "the worker routes it to the bot, which copies it for review",
        run=routed("SIMIN-smoke-4", "bot", note="Copied to Front desk for review."),
    ),
    # Opt-outs
    Step(
        "add an opt-out",
        "/opt-outs/",
        {"phone": "(212) 555-0177", "reason": "Asked by phone"},
        then=opted_out("+12125550177"),
    ),
    Step(
        "remove the opt-out",
        "/opt-outs/{opt_out}/remove/",
        {"reason": "Asked to hear from us again"},
        then=opted_out("+12125550177", expected=False),
    ),
    Step(
        "import opt-outs (preview)",
        "/opt-outs/import/",
        {"file": opt_outs_file},
        status=200,
        then=opt_outs_previewed,
    ),
    Step(
        "import opt-outs (confirm)",
        "/opt-outs/import/",
        {"token": Found("opt_outs_token")},
        then=opted_out("+12125550182"),
    ),
    Step("export opt-outs", "/opt-outs/export.csv", status=200, then=opt_outs_exported),
    # The organization's settings and the switcher
    Step(
        "change the organization's time zone and help text",
        "/offices/settings/",
        {
            "name": organization.name,
            "time_zone": "America/Chicago",
            "opt_out_message": "Smoke: you are unsubscribed.",
            "help_message": SMOKE_HELP,
        },
        then=time_zone_is("America/Chicago"),
    ),
    Step(
        "the inbound webhook (a contact texts HELP)",
        "/hooks/simulated/inbound/",
        webhook=bot_text("SIMIN-smoke-5", "Help"),
        status=200,
        who="carrier",
    ),
    Step("the worker answers HELP with the saved help text", run=help_answered("SIMIN-smoke-5")),
    Step(
        "switch to another organization",
        "/offices/switch/",
        {"organization": elsewhere.pk},
        then=working_in(elsewhere),
    ),
    Step(
        "switch back",
        "/offices/switch/",
        {"organization": organization.pk},
        then=working_in(organization),
    ),
    # The list's kept keys follow a renamed office; the export
    Step(
        "rename the office",
        "/offices/{office}/edit/",
        {
            "name": "Smoke office (renamed)",
            "number_quota": 3,
            "idk_default": "reply",
            "idk_message": "?",
        },
        then=office_renamed,
    ),
    Step(
        "export the Phone Numbers CSV", "/numbers/export.csv?o=-created", status=200, then=exported
    ),
]

JOURNEY += [
    # Forgot your password
    Step("open the reset page", "/accounts/password-reset/", status=200, who="forgetful"),
    Step(
        "ask for a password reset",
        "/accounts/password-reset/",
        {"email": FORGETFUL},
        who="forgetful",
        then=reset_mailed,
    ),
    Step("open the reset link", "{reset_link}", who="forgetful", then=reset_form_opened),
    Step(
        "choose a new password",
        "{reset_form}",
        {"new_password1": "smoke-Reset-passphrase-2", "new_password2": "smoke-Reset-passphrase-2"},
        who="forgetful",
    ),
    Step(
        "sign in with the new password",
        "/accounts/login/",
        {"username": FORGETFUL, "password": "smoke-Reset-passphrase-2"},
        who="forgetful",
        then=signed_in_as(FORGETFUL),
    ),
]

PAGES = [
    "/campaigns/",
    "/campaigns/drafts/",
    "/campaigns/archived/",
    "/campaigns/new/",
    "/numbers/",
    "/numbers/new/",
    "/numbers/new/?number_type=reusable",
    "/offices/",
    "/inboxes/",
    *[f"/numbers/?o={key}" for key in ("inboxes", "-usage", "office", "-number", "name")],
    *[f"/campaigns/{{{key}}}/" for key in sorted(CAMPAIGNS)],
    "/campaigns/{failing}/contacts/",
    "/numbers/{dedicated}/",
    "/numbers/{reusable}/",
    "/numbers/{reusable}/edit/",
    "/messenger/",
    "/opt-outs/",
    "/offices/settings/",
    "/offices/{office}/bot/",
    "/inboxes/elsewhere/",
]


def flashed(response: Response | None) -> str:
    """The messages the page would show after its redirect (why a launch was refused, …)."""
    if response is None:
        return ""
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    return f" — the page says: {' '.join(shown)}" if shown else ""


def form_errors(response: Response) -> str:
    context = getattr(response, "context", None) or {}
    form = context.get("form") if hasattr(context, "get") else None
    return f" — form errors: {form.errors.as_data()}" if form is not None and form.errors else ""


def take(step: Step) -> None:
    if step.run is not None:
        step.run()
        return
    path = step.path.format(**found)
    client = clients[step.who]
    if step.webhook is not None:
        body = json.dumps(step.webhook()).encode()
        response = client.post(
            path, body, content_type="application/json", headers=webhook_headers(body)
        )
    elif step.form is None:
        response = client.get(path)
    else:
        form = {
            key: value() if callable(value) else resolved(value) for key, value in step.form.items()
        }
        response = client.post(path, form)
    fail_unless(
        response.status_code == step.status,
        f"{path} answered {response.status_code}, expected {step.status}{form_errors(response)}",
    )
    if step.then is not None:
        step.then(response)
    if response.status_code == 302:
        # As a browser would: the page it lands on shows (and so clears) the step's messages.
        landed = client.get(response["Location"], follow=True)
        fail_unless(
            landed.status_code == 200, f"{response['Location']} answered {landed.status_code}"
        )


def main() -> None:
    steps = [
        Step("the triggers are in place as declared", run=triggers_as_declared),
        *JOURNEY,
        *[Step(f"open {page}", page, status=200) for page in PAGES],
    ]
    for number, step in enumerate(steps, start=1):
        try:
            take(step)
        except SmokeFailure as failure:
            sys.exit(f"The embedded default is broken at step {number}, “{step.name}”: {failure}")
        except Exception:
            sys.exit(
                f"The embedded default is broken at step {number}, “{step.name}”: server error\n"
                + traceback.format_exc()
            )
    print(f"embedded default (SQLite): {len(JOURNEY)} journey steps and {len(PAGES)} pages pass")


main()
