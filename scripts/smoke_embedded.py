"""Smoke run of the embedded default that `make run` uses (SQLite): migrate, seed the demo, check
the triggers, then walk every journey as the demo admin through Django's test Client, submitting
each form as a person would, and open every main page. The test suite runs on PostgreSQL only;
this makes sure every write path works on the newcomer's first command too.

Run by scripts/test.sh with DATABASE_URL pointing at a throwaway SQLite file and an in-memory
broker: no task is consumed (and none is left behind for a later `make run`), so where a
journey waits on the carriers the script runs the provisioning engine itself, as the worker and
beat would. Exits non-zero naming the step on any server error or unexpected answer."""

import os
import re
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
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
from campaigns.models import Campaign  # noqa: E402
from campaigns.self_assign import (  # noqa: E402
    SelfAssignRefused,
    campaign_self_assign_set,
    self_assign_claim,
)
from campaigns.sql import triggers_all  # noqa: E402
from phone_numbers.models import PhoneNumber, ProvisioningStatus, UseCase  # noqa: E402
from phone_numbers.sql import triggers_missing  # noqa: E402
from provisioning.polling import provisioning_poll  # noqa: E402
from provisioning.submitting import number_submit  # noqa: E402


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
# The Client then keeps each response's template context (the upload token, the numbers found).
setup_test_environment()
client = Client()
client.force_login(admin)

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


def exported(response: Response) -> None:
    body = b"".join(response.streaming_content).decode()
    fail_unless(body.startswith("number,name,description,kind,"), f"header: {body[:80]}")
    reusable = PhoneNumber.objects.get(pk=found["reusable"])
    fail_unless(f"{reusable.e164},Smoke desk (edited)," in body, "the reusable number is missing")


def office_renamed(response: Response) -> None:
    numbers = PhoneNumber.objects.filter(office_id=found["office"])
    names = set(numbers.values_list("office_name", flat=True))
    fail_unless(names == {"Smoke office (renamed)"}, f"numbers keep office names {names}")


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
    if step.form is None:
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
        landed = client.get(response["Location"])
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
