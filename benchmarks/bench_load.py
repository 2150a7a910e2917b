# ruff: noqa: E501 — the generating SQL reads best unwrapped.
"""Benchmark: 50 people using Longcode at once, through real HTTP, while provisioning runs.

The app runs under gunicorn (production settings, 2 workers) on PostgreSQL with a real Celery
worker and beat on Redis (``CELERY_BROKER_URL``, default ``redis://127.0.0.1:6379/0``); locust
(as a library, headless) plays ``BENCH_USERS`` (50) people, each signed in through the login
form: they browse the Phone Numbers list (and a search), the Active campaigns and a campaign's
page, export the numbers as CSV, take contacts from Unassigned in the messenger (*Get more*,
self-assigning), send initial messages (*Send*), post signed inbound texts to the carrier's
webhook, and launch single-use campaigns — provisioning runs in the worker meanwhile (the
simulated carrier, ``SIMULATED_CARRIER_LATENCY=1-5``).

Three phases, by the same users over the same sessions: the baseline (an empty signed-in view,
``/healthz``) for a quarter of ``BENCH_LOAD_SECONDS`` (default 120), the mixed load for
``BENCH_LOAD_SECONDS``, the baseline again. The rows: errors under load (any answer that is not
the page expected, or no answer: target zero) and failed requests over the whole run, each named
in the note with its exception and how long its connection had idled, requests/s and p95 under
load beside the baseline's (before and after), and each action's p95. Each run's gunicorn error
and access logs, worker and beat logs and failed requests are kept in ``var/bench_load/<run>/``.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/longcode_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 BENCH_LOAD_SECONDS=30 python benchmarks/bench_load.py

Generated once and reused (organization ``load-bench``): 5,000 numbers (``BENCH_SCALE``), an
active campaign with 100,000 contacts (a fifth assigned across the users), 400 single-use drafts
to launch (made afresh each run, 40 to a use case: the carriers allow 49 numbers on one; 30 to
an area code the simulated carrier has sold nothing in yet: it stocks 36 a code, once); a run
sets the campaign's sent contacts back and archives what the last run launched or left (the
numbers those bought are kept).
"""

import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# locust runs the people on gevent: it patches the standard library, which must happen before
# anything else opens a socket.
import locust  # noqa: F401

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/longcode_bench")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")

from numbers_data import organization_with_numbers, setup_django  # noqa: E402
from report import Report, at_most, ratio_at_least, scaled  # noqa: E402
from serving import gunicorn, production_env  # noqa: E402

SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "120"))
USERS = int(os.environ.get("BENCH_USERS", "50"))
PORT = int(os.environ.get("BENCH_PORT", "8766"))
NUMBERS = scaled(5_000)
CONTACTS = scaled(100_000)
DRAFTS = 400
# The simulated carrier stocks 36 numbers an area code, once, and the bench keeps what it buys.
LAUNCHES_PER_AREA_CODE = 30
# Each run's gunicorn, worker and beat logs and its failed requests, kept after the run.
LOGS = ROOT / "var" / "bench_load"
HOST = "longcode.example"
PASSWORD = "bench-load-password"
SLUG = "load-bench"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CONTACT = re.compile(r'name="contact" value="(\d+)"')


# --- the data ---------------------------------------------------------------------------------
def build() -> dict[str, Any]:
    """The organization (numbers, users, the texting campaign, drafts), generated on the first
    run; a later run resets what the last one changed."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from campaigns.models import Campaign, CampaignSender, CampaignStatus, NumberChoice
    from offices.models import Membership, Office, Organization, Role
    from phone_numbers.models import Kind, PhoneNumber, ProvisioningStatus, UseCase

    # Generated once; the numbers that later runs' launches buy are kept alongside.
    org = Organization.objects.filter(slug=SLUG).first()
    if org is None:
        org = Organization.objects.get(
            pk=organization_with_numbers(SLUG, NUMBERS, base=4_000_000_000)
        )
    org_id = org.pk
    emails = [f"person{i}@load-bench.test" for i in range(USERS)]
    password = make_password(PASSWORD, hasher=PBKDF2PasswordHasher())
    for email in emails:
        user, _ = User.objects.update_or_create(email=email, defaults={"password": password})
        Membership.objects.get_or_create(organization=org, user=user, defaults={"role": Role.ADMIN})
    org.texting_hours_start, org.texting_hours_end = "00:00", "23:59:59.999999"
    org.save(update_fields=["texting_hours_start", "texting_hours_end"])
    office = Office.objects.filter(organization=org).first() or Office.objects.create(
        organization=org, name="Load"
    )
    use_case, _ = UseCase.objects.get_or_create(
        organization=org, name="Load bench", defaults={"carrier_reference": "CL"}
    )
    campaign = Campaign.objects.filter(organization=org, name="Load texting").first()
    users = list(User.objects.filter(email__in=emails).order_by("email"))
    if campaign is None:
        # One of the generated dedicated numbers no campaign uses (the count of the
        # organization's numbers stays what numbers_data made).
        number = PhoneNumber.objects.filter(
            organization=org,
            kind=Kind.DEDICATED,
            provisioning_status=ProvisioningStatus.COMPLETE,
            campaigns__isnull=True,
        ).first()
        assert number is not None
        campaign = Campaign.objects.create(
            organization=org,
            office=office,
            name="Load texting",
            status=CampaignStatus.ACTIVE,
            phone_number=number,
            launched_at=timezone.now(),
            initial_message="Hi {first_name}, open day is Saturday.",
            self_assign=True,
            batch_size=20,
        )
        CampaignSender.objects.bulk_create(CampaignSender(campaign=campaign, user=u) for u in users)
        per_user = CONTACTS // 5 // USERS
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO campaigns_contact (campaign_id, phone, first_name, last_name, fields, created_at, assignee_id) "
                "SELECT %s, '+1313' || lpad(n::text, 7, '0'), 'First' || n, 'Last', '{}'::jsonb, now(), "
                "(%s::bigint[])[(n - 1) / %s + 1] FROM generate_series(1, %s) AS n",
                [campaign.pk, [u.pk for u in users], per_user, CONTACTS],
            )
    with connection.cursor() as cursor:
        # What the last run sent and launched, set back.
        cursor.execute(
            "UPDATE campaigns_contact SET texted_at = NULL, conversation_id = NULL "
            "WHERE campaign_id = %s AND texted_at IS NOT NULL",
            [campaign.pk],
        )
        # A reply routed to another of the organization's campaigns has a conversation too.
        cursor.execute(
            "UPDATE campaigns_contact c SET conversation_id = NULL FROM campaigns_campaign k "
            "WHERE c.campaign_id = k.id AND k.organization_id = %s "
            "AND c.conversation_id IS NOT NULL",
            [org_id],
        )
        cursor.execute("DELETE FROM inboxes_message WHERE organization_id = %s", [org_id])
        cursor.execute("DELETE FROM inboxes_inboundmessage WHERE organization_id = %s", [org_id])
        cursor.execute("DELETE FROM inboxes_conversation WHERE organization_id = %s", [org_id])
        cursor.execute("ANALYZE campaigns_contact")
    # Every run launches fresh drafts on fresh use cases (below); the last run's are put away.
    Campaign.objects.filter(organization=org, name__startswith="Load launch").exclude(
        status=CampaignStatus.ARCHIVED
    ).update(status=CampaignStatus.ARCHIVED, archived_at=timezone.now())
    drafts: list[int] = []
    from campaigns.models import Contact

    stamp = uuid.uuid4().hex[:6]
    area_codes = unstocked_area_codes(-(-DRAFTS // LAUNCHES_PER_AREA_CODE))
    while len(drafts) < DRAFTS:
        if len(drafts) % 40 == 0:
            # The carriers allow 49 numbers on one use case: each 40 launches get one of their
            # own, or launches past the cap are refused (and the load would measure refusals).
            use_case = UseCase.objects.create(
                organization=org, name=f"Load launch {stamp} {len(drafts)}", carrier_reference="CL"
            )
        draft = Campaign.objects.create(
            organization=org,
            office=office,
            name=f"Load launch {stamp} {len(drafts)}",
            number_choice=NumberChoice.SINGLE_USE,
            area_codes=[area_codes[len(drafts) // LAUNCHES_PER_AREA_CODE]],
            use_case=use_case,
            initial_message="Hi {first_name}.",
        )
        Contact.objects.create(campaign=draft, phone="+12125550100", first_name="Ada")
        drafts.append(draft.pk)
    return {
        "emails": emails,
        "campaign": campaign.pk,
        "number": campaign.phone_number.e164 if campaign.phone_number else "",
        "drafts": drafts,
    }


def unstocked_area_codes(count: int) -> list[str]:
    """``count`` area codes the simulated carrier has sold nothing in yet in this database, none
    of them one its knobs make fail or empty. Its inventory is finite and the numbers a run
    buys are kept, so each run launches in codes of its own: a launch that fails for want of a
    number would count as refused."""
    from django.conf import settings

    from config.carrier_knobs import knobs_from
    from provisioning.carriers.simulated_state import SimulatedNumber

    knobs = knobs_from(settings)
    taken = {
        *SimulatedNumber.objects.values_list("area_code", flat=True).distinct(),
        *knobs.fail_area_codes,
        *knobs.flaky_area_codes,
        *knobs.empty_area_codes,
    }
    codes = [str(code) for code in range(201, 990) if str(code) not in taken][:count]
    assert len(codes) == count, "the simulated carrier's area codes are used up: a fresh database"
    return codes


# --- the processes ----------------------------------------------------------------------------
def processes(static_root: str, logs: Path) -> list[subprocess.Popen[bytes]]:
    env = production_env(
        static_root=static_root,
        host=HOST,
        EMAIL_URL="consolemail://",
        SIMULATED_CARRIER_LATENCY="1-5",
        PROVISIONING_POLL_SECONDS="2",
    )
    started = [gunicorn(env, PORT, logs=logs)]
    for name, argv in (
        (
            "worker",
            ["worker", "--pool=solo", "--loglevel=WARNING", "--without-gossip", "--without-mingle"],
        ),
        ("beat", ["beat", "--loglevel=WARNING", "-s", str(logs / "beat-schedule")]),
    ):
        started.append(
            subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", *argv],
                cwd=ROOT,
                env=env,
                stdout=(logs / f"{name}.log").open("ab"),
                stderr=subprocess.STDOUT,
            )
        )
    import requests

    deadline = time.monotonic() + 60
    while True:
        try:
            if (
                requests.get(
                    f"http://127.0.0.1:{PORT}/healthz",
                    headers={"Host": HOST, "X-Forwarded-Proto": "https"},
                    timeout=5,
                ).status_code
                == 200
            ):
                return started
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("gunicorn did not answer /healthz within a minute")
        time.sleep(0.3)


# --- the people -------------------------------------------------------------------------------
def people(data: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    from locust import HttpUser, between, task

    from provisioning.carriers.simulated import webhook_headers

    emails = list(data["emails"])
    drafts = list(data["drafts"])
    posted: list[int] = data.setdefault("posted", [])
    campaign = data["campaign"]
    state: dict[str, Any] = {"mixed": False, "signed_in": 0, "phase": "sign-in"}
    failed: list[dict[str, Any]] = data.setdefault("failed", [])

    class Person(HttpUser):
        host = f"http://127.0.0.1:{PORT}"
        wait_time = between(0.1, 0.5)

        def on_start(self) -> None:
            # The proxy in front of gunicorn says HTTPS; the cookies are Secure, so they are kept
            # by hand (requests would not send them over plain HTTP).
            self.client.headers.update(
                {
                    "Host": HOST,
                    "X-Forwarded-Proto": "https",
                    "Referer": f"https://{HOST}/",
                    "Origin": f"https://{HOST}",
                }
            )
            self.email = emails.pop()
            self.answered = time.monotonic()
            page = self._get("/accounts/login/", "sign-in")
            self._post(
                "/accounts/login/",
                "sign-in",
                {
                    "csrfmiddlewaretoken": self._token(page),
                    "username": self.email,
                    "password": PASSWORD,
                },
                status=302,
            )
            self.contact = ""
            state["signed_in"] += 1

        def _keep_cookies(self) -> None:
            for cookie in self.client.cookies:
                cookie.secure = False

        def _token(self, text: str) -> str:
            found = CSRF.search(text)
            return found.group(1) if found else str(self.client.cookies.get("csrftoken") or "")

        def _judge(self, answer: Any, ok: bool, idle: float) -> None:
            """Marks ``answer`` failed unless ``ok``, and notes what happened: the exception
            when there was no answer at all (status 0), and how long this person's connection
            had been idle before the request went out on it."""
            self._keep_cookies()
            self.answered = time.monotonic()
            if ok:
                return
            error = answer.error
            # requests wraps the socket's error twice (ConnectionError, ProtocolError): the
            # innermost one says what the connection did.
            while error is not None and error.__context__ is not None:
                error = error.__context__
            what = f"{type(error).__name__}: {error}" if error else f"status {answer.status_code}"
            answer.failure(error or f"status {answer.status_code}")
            failed.append(
                {
                    "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
                    "phase": state["phase"],
                    "request": f"{answer.request_meta['request_type']} {answer.request_meta['name']}",
                    "error": what,
                    "idle_s": round(idle, 3),
                    "elapsed_ms": round(answer.request_meta["response_time"], 1),
                    "body": "" if error else answer.text[:200],
                }
            )

        def _get(self, path: str, name: str, expect: str = "") -> str:
            idle = time.monotonic() - self.answered
            with self.client.get(
                path, name=name, catch_response=True, allow_redirects=False
            ) as answer:
                ok = answer.status_code == 200 and (not expect or expect in answer.text)
                self._judge(answer, ok, idle)
                return answer.text

        def _post(
            self,
            path: str,
            name: str,
            form: dict[str, str],
            *,
            status: int = 200,
            headers: dict[str, str] | None = None,
            data: bytes | None = None,
        ) -> str:
            sent = {"X-CSRFToken": self.client.cookies.get("csrftoken", ""), **(headers or {})}
            idle = time.monotonic() - self.answered
            with self.client.post(
                path,
                name=name,
                data=data if data is not None else form,
                headers=sent,
                catch_response=True,
                allow_redirects=False,
            ) as answer:
                self._judge(answer, answer.status_code == status, idle)
                return answer.text

        @task(12)
        def empty(self) -> None:
            if not state["mixed"]:
                self._get("/healthz", BASELINE)

        @task(3)
        def numbers(self) -> None:
            if state["mixed"]:
                self._get("/numbers/", "Phone Numbers list", "<table")

        @task(1)
        def numbers_search(self) -> None:
            if state["mixed"]:
                self._get("/numbers/?q=555", "Phone Numbers search")

        @task(2)
        def campaigns(self) -> None:
            if state["mixed"]:
                self._get("/campaigns/", "Active campaigns")
                self._get(f"/campaigns/{campaign}/", "campaign page")

        @task(1)
        def export(self) -> None:
            if state["mixed"]:
                self._get("/numbers/export.csv", "numbers CSV export")

        @task(3)
        def send(self) -> None:
            if not state["mixed"]:
                return
            htmx = {"HX-Request": "true", "HX-Target": "assignment"}
            if not self.contact:
                page = self._get(f"/messenger/{campaign}/", "messenger")
                found = CONTACT.search(page)
                if not found:
                    self._post(
                        f"/messenger/{campaign}/get-more/",
                        "Get more (self-assign)",
                        {"request_key": uuid.uuid4().hex},
                        headers=htmx,
                    )
                    return
                self.contact = found.group(1)
            fragment = self._post(
                f"/messenger/{campaign}/send/", "Send", {"contact": self.contact}, headers=htmx
            )
            found = CONTACT.search(fragment)
            self.contact = found.group(1) if found else ""

        @task(1)
        def get_more(self) -> None:
            if state["mixed"]:
                self._post(
                    f"/messenger/{campaign}/get-more/",
                    "Get more (self-assign)",
                    {"request_key": uuid.uuid4().hex},
                    headers={"HX-Request": "true", "HX-Target": "assignment"},
                )

        @task(2)
        def inbound(self) -> None:
            if not state["mixed"]:
                return
            body = json.dumps(
                {
                    "to": data["number"],
                    "from": f"+1313{secrets.randbelow(10**7):07d}",
                    "body": "When is open day?",
                    "id": f"SIMIN-{uuid.uuid4().hex}",
                }
            ).encode()
            self._post(
                "/hooks/simulated/inbound/",
                "inbound webhook",
                {},
                headers={**webhook_headers(body), "Content-Type": "application/json"},
                data=body,
            )

        @task(1)
        def launch(self) -> None:
            if state["mixed"] and drafts:
                posted.append(pk := drafts.pop())
                self._post(f"/campaigns/{pk}/launch/", "launch a campaign", {}, status=302)

    return Person, state


BASELINE = "empty view (baseline)"


def run_phase(
    env: Any, state: dict[str, Any], name: str, *, mixed: bool, seconds: float
) -> dict[str, Any]:
    """``seconds`` of one phase. The requests of the phase before, still in flight when it
    switches, are left out: a short drain first, and only this phase's request names count."""
    import gevent
    from locust.stats import StatsEntry

    state["mixed"], state["phase"] = mixed, name
    gevent.sleep(3)
    stats = env.runner.stats
    stats.reset_all()
    gevent.sleep(seconds)
    entries = {
        e.name: e
        for e in stats.entries.values()
        if e.num_requests and (e.name != BASELINE) == mixed and e.name != "sign-in"
    }
    phase = StatsEntry(stats, "phase", "", use_response_times_cache=False)
    for entry in entries.values():
        phase.extend(entry)
    failures = {
        f"{e.method} {e.name}: {e.error}": e.occurrences
        for e in stats.errors.values()
        if e.name in entries
    }
    return {
        "rps": phase.num_requests / seconds,
        "p95": phase.get_response_time_percentile(0.95),
        "errors": sum(failures.values()),
        "failures": failures,
        "actions": {
            name: (e.num_requests, e.get_response_time_percentile(0.95))
            for name, e in entries.items()
        },
    }


def main() -> None:
    setup_django()
    load = os.getloadavg()[0]
    print(f"{USERS} users, {SECONDS} s of load; load average {load:.1f}", flush=True)
    data = build()
    from django.db import connection

    connection.close()
    logs = LOGS / datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    logs.mkdir(parents=True)
    print(f"logs in {logs}", flush=True)
    with tempfile.TemporaryDirectory() as static_root:
        started = processes(static_root, logs)
        try:
            measured = measure(data)
        finally:
            for process in started:
                process.terminate()
            for process in started:
                process.wait(timeout=30)
    (logs / "failed.json").write_text(json.dumps(data["failed"], indent=1))
    write(measured, *settled(data), load, data["failed"], server_log(logs))


def measure(data: dict[str, Any]) -> list[dict[str, Any]]:
    import gevent
    from locust.env import Environment

    person, state = people(data)
    env = Environment(user_classes=[person])
    env.create_local_runner()
    assert env.runner is not None
    env.runner.start(USERS, spawn_rate=10)
    # Every user signed in (a production password hash each: tens of seconds on a busy machine).
    deadline = time.monotonic() + 600
    while state["signed_in"] < USERS and time.monotonic() < deadline:
        gevent.sleep(1)
    assert state["signed_in"] == USERS, f"{state['signed_in']} of {USERS} signed in"
    assert env.runner.stats.total.num_failures == 0, env.runner.stats.errors
    phases = [
        run_phase(env, state, "baseline before", mixed=False, seconds=max(5, SECONDS / 4)),
        run_phase(env, state, "load", mixed=True, seconds=SECONDS),
        run_phase(env, state, "baseline after", mixed=False, seconds=max(5, SECONDS / 4)),
    ]
    env.runner.quit()
    for name, phase in zip(("baseline before", "load", "baseline after"), phases, strict=True):
        print(
            f"{name}: {phase['rps']:.1f} req/s, p95 {phase['p95']:.0f} ms, {phase['errors']} errors {phase['failures']}"
        )
    for action, (count, p95) in sorted(phases[1]["actions"].items()):
        print(f"  {action:28} {count:6} requests, p95 {p95:.0f} ms")
    for failure in data["failed"]:
        print(f"  failed: {failure}")
    return phases


def server_log(logs: Path) -> list[str]:
    """gunicorn's error log beyond its ordinary lines (a worker timed out, was killed, exited,
    or an error was logged), and how many workers booted (2 unless one was restarted)."""
    lines = (logs / "gunicorn-error.log").read_text().splitlines()
    boots = sum("Booting worker" in line for line in lines)
    ordinary = ("Booting worker", "Starting gunicorn", "Listening at", "Using worker", "[INFO]")
    unusual = [line for line in lines if not any(word in line for word in ordinary)]
    for line in unusual:
        print(f"  gunicorn: {line}")
    return [f"{boots} gunicorn workers booted", *unusual]


def settled(data: dict[str, Any]) -> tuple[int, int]:
    """The launches posted that went through (launching or active) and those refused (still
    a draft: a refused launch answers 302 like an accepted one, its reason shown on the page)."""
    from campaigns.models import Campaign, CampaignStatus

    posted = Campaign.objects.filter(pk__in=data.get("posted", []))
    return (
        posted.filter(status__in=[CampaignStatus.ACTIVE, CampaignStatus.LAUNCHING]).count(),
        posted.filter(status=CampaignStatus.DRAFT).count(),
    )


def write(
    phases: list[dict[str, Any]],
    launched: int,
    refused: int,
    load: float,
    failed: list[dict[str, Any]],
    gunicorn_log: list[str],
) -> None:
    before, mixed, after = phases
    # Every failed request, whatever its phase, named with what happened to it.
    noted = "; ".join(
        f"{f['request']} in the {f['phase']} at {f['at']}: {f['error']} "
        f"(connection idle {f['idle_s']} s before it, failed after {f['elapsed_ms']} ms)"
        for f in failed
    )
    report = Report(
        "bench_load",
        f"{USERS} signed-in people for {SECONDS} s through HTTP under gunicorn (production settings, "
        "2 workers) with a Celery worker and beat: Phone Numbers list and search, campaign pages, "
        "CSV export, Get more (self-assign), Send, signed inbound webhooks and campaign launches "
        f"({launched} launched, provisioning in the worker); baseline: the same people on an "
        f"empty signed-in view (/healthz) for {max(5, SECONDS // 4)} s before and after; load "
        f"average {load:.1f} at the start; {len(failed)} requests failed in all"
        + (f" ({noted})" if noted else "")
        + f"; gunicorn's log: {', '.join(gunicorn_log)}",
    )
    report.row("errors under load", "requests", [float(mixed["errors"])], None, target=at_most(0))
    # The phases leave out their first seconds (the drain) and the sign-in: a request that got
    # no answer there is a failure all the same.
    report.row(
        "failed requests in the whole run (sign-in, drains, phases)",
        "requests",
        [float(len(failed))],
        None,
        target=at_most(0),
    )
    report.row(
        "launches refused (posted, still a draft)",
        "launches",
        [float(refused)],
        None,
        target=at_most(0),
    )
    baseline_rps = [float(before["rps"]), float(after["rps"])]
    baseline_p95 = [float(before["p95"]), float(after["p95"])]
    report.row(
        "requests/s under load",
        "req/s",
        [float(mixed["rps"])],
        baseline_rps,
        target=ratio_at_least(0.1),
        baseline_label="empty view",
    )
    report.row(
        "p95 under load",
        "ms",
        [float(mixed["p95"])],
        baseline_p95,
        target=None,
        baseline_label="empty view",
    )
    for action, (count, p95) in sorted(mixed["actions"].items()):
        report.row(
            f"p95 {action} ({count} requests)",
            "ms",
            [float(p95)],
            baseline_p95,
            target=None,
            baseline_label="empty view",
        )
    report.save()


if __name__ == "__main__":
    main()
