# ruff: noqa: E501 — the generating SQL reads best unwrapped.
"""Benchmark: a sender's *Send* click in a campaign of 1,000,000 contacts, through real HTTP.

The app runs under gunicorn (production settings, 2 sync workers) on PostgreSQL, as deployed; the
bench signs a sender in through the login form and then clicks as the messenger page does: an
htmx ``POST /messenger/<campaign>/send/`` for the contact on screen, which records the initial
message (idempotency key, conversation, queued for a worker on the Redis broker) and answers the
assignment fragment with the next contact — whose id the next click sends. Each click alternates
with the baseline, an empty signed-in view (``/healthz``: session, user and tenant middleware),
over fresh connections alike; ``BENCH_REPEATS`` rounds of ``BENCH_CLICKS`` pairs, and each
round's p50 and p95 go to benchmarks/REPORT.md (the figure is the median over the rounds).

The data is generated inside PostgreSQL (generate_series): 1,000,000 contacts (``BENCH_SCALE``),
half assigned across 100 senders, half Unassigned. Before measuring, the bench EXPLAINs the
click's reads on the contacts and messages and fails if one of them scans a whole table.

The organization is generated once and reused: each run first takes back what the last one
sent (texted contacts, their conversations and messages).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/longcode_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 python benchmarks/bench_send_click.py

Each click queues a delivery task on CELERY_BROKER_URL (no worker consumes it here): purge that
queue afterwards (``celery -A config purge``) or use a broker database of its own.
"""

import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/longcode_bench")

from numbers_data import setup_django  # noqa: E402
from report import REPEATS, Report, at_most, ratio_at_most, scaled  # noqa: E402
from serving import gunicorn, production_env  # noqa: E402

CONTACTS = scaled(1_000_000)
CLICKS = int(os.environ.get("BENCH_CLICKS", "40"))
SENDERS = 100
HOST = "longcode.example"
PORT = int(os.environ.get("BENCH_PORT", "8765"))
PASSWORD = "bench-sender-password"


def build() -> tuple[int, str]:
    """The organization of this benchmark, its active campaign of CONTACTS contacts and its
    senders, generated on the first run; a later run resets what the last one sent. Returns the
    campaign's id and the bench sender's e-mail."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
    from django.db import connection

    from accounts.models import User
    from campaigns.models import Campaign

    email = "sender0@send-bench.test"
    campaign = Campaign.objects.filter(organization__slug="send-bench").first()
    if campaign is None:
        return generate(), email
    User.objects.filter(email=email).update(
        password=make_password(PASSWORD, hasher=PBKDF2PasswordHasher())
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE campaigns_contact SET texted_at = NULL, conversation_id = NULL "
            "WHERE campaign_id = %s AND texted_at IS NOT NULL",
            [campaign.pk],
        )
        cursor.execute(
            "DELETE FROM inboxes_message WHERE organization_id = %s", [campaign.organization_id]
        )
        cursor.execute(
            "DELETE FROM inboxes_conversation WHERE organization_id = %s",
            [campaign.organization_id],
        )
        cursor.execute("VACUUM ANALYZE campaigns_contact")
    return campaign.pk, email


def generate() -> int:
    from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from campaigns.models import Campaign, CampaignSender
    from offices.models import Membership, Office, Organization, Role
    from phone_numbers.models import Kind, PhoneNumber, ProvisioningStatus, UseCase

    # Texting hours all day, so the gate lets the click through whatever the hour of the run.
    org = Organization.objects.create(
        name="Send bench",
        slug="send-bench",
        texting_hours_start="00:00",
        texting_hours_end="23:59:59.999999",
    )
    office = Office.objects.create(organization=org, name="Bench")
    use_case = UseCase.objects.create(organization=org, name="Bench", carrier_reference="CB")
    number = PhoneNumber.objects.create(
        organization=org,
        use_case=use_case,
        kind=Kind.DEDICATED,
        e164="+16465550199",
        provisioning_status=ProvisioningStatus.COMPLETE,
    )
    campaign = Campaign.objects.create(
        organization=org,
        office=office,
        name="Send bench",
        status="active",
        phone_number=number,
        launched_at=timezone.now(),
        initial_message="Hi {first_name}, this is Bench College: open day is Saturday. {school}",
    )
    users = User.objects.bulk_create(
        User(email=f"sender{i}@send-bench.test", password="!") for i in range(SENDERS)
    )
    # Hashed as production hashes it (the bench's own test settings use a fast hasher the
    # server would not accept).
    users[0].password = make_password(PASSWORD, hasher=PBKDF2PasswordHasher())
    users[0].save(update_fields=["password"])
    Membership.objects.bulk_create(
        Membership(organization=org, user=u, role=Role.SENDER) for u in users
    )
    CampaignSender.objects.bulk_create(CampaignSender(campaign=campaign, user=u) for u in users)
    # The senders' ids by position (not first id + k: users created meanwhile by another
    # benchmark on the same database would interleave).
    sender_ids = [u.pk for u in users]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO campaigns_contact (campaign_id, phone, first_name, last_name, fields, created_at, assignee_id) "
            "SELECT %s, '+1212' || lpad(n::text, 7, '0'), 'First' || n, 'Last', jsonb_build_object('school', 'School ' || (n %% 50)), now(), "
            "CASE WHEN n <= %s THEN (%s::bigint[])[1 + (n - 1) / %s] END "
            "FROM generate_series(1, %s) AS n",
            [campaign.pk, CONTACTS // 2, sender_ids, CONTACTS // 2 // SENDERS, CONTACTS],
        )
        cursor.execute("VACUUM ANALYZE campaigns_contact")
    return campaign.pk


def explain(campaign_id: int, email: str) -> None:
    """The click's reads on the big tables, EXPLAINed: each must be served by an index."""
    from django.db import connection, transaction
    from django.db.models import QuerySet
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from campaigns.messenger import messenger_next_contact, messenger_replies
    from campaigns.models import Campaign, Contact
    from inboxes.models import Message

    campaign = Campaign.objects.get(pk=campaign_id)
    user = User.objects.get(email=email)
    with CaptureQueriesContext(connection) as assignment_read:
        next_contact = messenger_next_contact(campaign=campaign, user=user).contact
    assert next_contact is not None
    (assignment,) = assignment_read.captured_queries
    reads: dict[str, str | QuerySet[Any]] = {
        "next contact, initial messages left and replies waiting": assignment["sql"],
        "replies waiting": messenger_replies(campaign=campaign, user=user).values("id"),
        "the contact on screen, locked": Contact.objects.select_for_update().filter(
            pk=next_contact.pk
        ),
        "the message of the idempotency key": Message.objects.filter(
            idempotency_key=f"initial:{next_contact.pk}"
        ),
    }
    for label, read in reads.items():
        with transaction.atomic():  # the lock's EXPLAIN, as the click runs it
            if isinstance(read, str):
                with connection.cursor() as cursor:
                    cursor.execute(f"EXPLAIN {read}")
                    plan = "\n".join(line for (line,) in cursor.fetchall())
            else:
                plan = read.explain()
        print(f"EXPLAIN {label}:\n  " + plan.replace("\n", "\n  "))
        assert "Seq Scan on campaigns_contact" not in plan, label
        assert "Seq Scan on inboxes_message" not in plan, label


def serve(static_root: str) -> subprocess.Popen[bytes]:
    env = production_env(
        static_root=static_root, host=HOST, EMAIL_URL="smtp://mail.longcode.example:587"
    )
    server = gunicorn(env, PORT)
    deadline = time.monotonic() + 60
    while True:
        try:
            status, _, _ = request("GET", "/healthz", {})
            if status == 200:
                return server
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.terminate()
            raise RuntimeError("gunicorn did not answer /healthz within a minute")
        time.sleep(0.2)


def request(
    method: str,
    path: str,
    cookies: dict[str, str],
    form: dict[str, str] | None = None,
    **headers: str,
) -> tuple[int, dict[str, str], str]:
    """One request over a fresh connection, as the proxy in front of gunicorn passes it on
    (HTTPS said by X-Forwarded-Proto)."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    sent = {"Host": HOST, "X-Forwarded-Proto": "https", **headers}
    if cookies:
        sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body = None
    if form is not None:
        body = urlencode(form)
        sent["Content-Type"] = "application/x-www-form-urlencoded"
        sent["Origin"] = f"https://{HOST}"
        sent["Referer"] = f"https://{HOST}/"
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        text = response.read().decode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookies[name] = rest.split(";", 1)[0]
        return response.status, dict(response.getheaders()), text
    finally:
        connection.close()


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CONTACT = re.compile(r'name="contact" value="(\d+)"')


def sign_in(email: str) -> dict[str, str]:
    cookies: dict[str, str] = {}
    _, _, page = request("GET", "/accounts/login/", cookies)
    token = CSRF.search(page)
    assert token, "no CSRF token on the login page"
    status, _, answer = request(
        "POST",
        "/accounts/login/",
        cookies,
        {"csrfmiddlewaretoken": token.group(1), "username": email, "password": PASSWORD},
    )
    assert status == 302, (
        f"sign-in failed: {status} {re.findall(r'(?:errorlist|form-errors)[^>]*>(.*?)</', answer)}"
    )
    assert "sessionid" in cookies, "sign-in set no session"
    return cookies


def main() -> None:
    setup_django()
    print(f"{CONTACTS:,} contacts; load {os.getloadavg()[0]:.1f}", flush=True)
    began = time.perf_counter()
    campaign_id, email = build()
    print(f"generated in {time.perf_counter() - began:.0f} s", flush=True)
    explain(campaign_id, email)
    with tempfile.TemporaryDirectory() as static_root:
        server = serve(static_root)
        try:
            measure(campaign_id, email)
        finally:
            server.terminate()
            server.wait(timeout=30)


def measure(campaign_id: int, email: str) -> None:
    cookies = sign_in(email)
    assignment = f"/messenger/{campaign_id}/"
    status, _, page = request("GET", assignment, cookies)
    assert status == 200, status
    token, contact = CSRF.search(page), CONTACT.search(page)
    assert token, "no CSRF token on the assignment"
    assert contact, "the assignment shows no contact to send to"
    state = {"contact": contact.group(1)}
    sent = []

    def click() -> float:
        started = time.perf_counter()
        status, _, fragment = request(
            "POST",
            f"{assignment}send/",
            cookies,
            {"csrfmiddlewaretoken": token.group(1), "contact": state["contact"]},
            **{"HX-Request": "true", "HX-Target": "assignment"},
        )
        elapsed = (time.perf_counter() - started) * 1000
        following = CONTACT.search(fragment)
        assert status == 200, f"the click answered {status}"
        assert following, "the click answered no next contact"
        assert following.group(1) != state["contact"], "the click did not send: same contact back"
        state["contact"] = following.group(1)
        sent.append(state["contact"])
        return elapsed

    def empty() -> float:
        started = time.perf_counter()
        status, _, _ = request("GET", "/healthz", cookies)
        assert status == 200, status
        return (time.perf_counter() - started) * 1000

    for _ in range(5):  # warm up both workers' connections and caches
        empty(), click()
    rounds: list[tuple[list[float], list[float]]] = []
    for _ in range(REPEATS):
        clicks, empties = [], []
        for _ in range(CLICKS):
            empties.append(empty())
            clicks.append(click())
        rounds.append((clicks, empties))
    check_recorded(email, len(sent))

    def quantile(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100, method="inclusive")[q - 1]

    report = Report(
        "bench_send_click",
        f"The Send click in a campaign of {CONTACTS:,} contacts (record the initial message, "
        "answer the next contact), through HTTP under gunicorn (production settings, 2 workers), "
        f"alternating click by click with an empty signed-in view (/healthz); {CLICKS} pairs a "
        "round, each figure the median of the rounds' p50 or p95",
    )
    p95 = [quantile(c, 95) for c, _ in rounds]
    empty_p95 = [quantile(e, 95) for _, e in rounds]
    report.row(
        "Send click p95", "ms", p95, empty_p95, target=at_most(50), baseline_label="empty view"
    )
    report.row(
        "Send click p95 vs the empty view",
        "ms",
        p95,
        empty_p95,
        target=ratio_at_most(3),
        baseline_label="empty view",
    )
    report.row(
        "Send click p50",
        "ms",
        [quantile(c, 50) for c, _ in rounds],
        [quantile(e, 50) for _, e in rounds],
        baseline_label="empty view",
    )
    print(report.save())


def check_recorded(email: str, sent: int) -> None:
    """Every click recorded one queued message for a distinct contact."""
    from inboxes.models import Message

    recorded = Message.objects.filter(
        sent_by__email=email, idempotency_key__startswith="initial:"
    ).count()
    assert recorded == sent, f"{sent} clicks recorded {recorded} messages"
    print(f"{sent} clicks, {recorded} messages recorded, each to its own contact", flush=True)


if __name__ == "__main__":
    main()
