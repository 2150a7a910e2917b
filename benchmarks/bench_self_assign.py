"""Benchmark: self-assign claims under concurrency, beside the two raw-SQL baselines of
research/limits.md, measured in the same run on the same contacts.

1,000,000 Unassigned contacts (``BENCH_CONTACTS``) in one active campaign; 32 claimers
(``BENCH_CLAIMERS``: threads over ``BENCH_PROCESSES`` processes, each claimer with its own
connection) claim batches of 100 for ``BENCH_SECONDS`` each (default 60):

- ``self_assign_claim`` — the real code path (each claim by a sender with nothing left to
  send, as after pressing *Get more*), chunks built on the first claim;
- plain: ``UPDATE … WHERE id IN (SELECT id … WHERE assignee IS NULL ORDER BY id LIMIT 100
  FOR UPDATE SKIP LOCKED)`` over the contacts, with a partial index on the Unassigned;
- small unit: claim one row of a precomputed ``batches`` table (``LIMIT 1 FOR UPDATE SKIP
  LOCKED``), then update that batch's contacts by id range;

The three run in turn, ``BENCH_REPEATS`` rounds, each run on a fresh pool; the figures (median
claims/s and p95 latency, beside the baselines) go to benchmarks/REPORT.md through
benchmarks/report.py. Every run of the real code path checks the claim log: the contacts the
claims counted equal the contacts assigned, sender by sender — no contact went to two senders.

What bounds the figures on a 2-core machine (November 2026, load 15-35): every method rewrites
100 contact rows a claim (assignee_id is indexed, so no HOT update: six index entries a row, and
100 deferred foreign-key checks at commit). One claimer: the bare ``UPDATE … WHERE id BETWEEN``
of 100 contacts took 30-36 ms (22 of them in COMMIT), the whole real claim 52-58 ms, of which
1.7 ms was the client's CPU. So no claim can beat the small unit by much (the real path ran at
1.0x it), and the 10x target over the plain statement holds only where the plain statement
collapses to a tenth of the bare write: through pgbench (32 clients, 2 threads, 40 s) the small
unit ran 191/s and the plain statement 57/s falling to 16/s (28.5/s over the run, 6.7x); through
this harness the small unit ran 86-115/s (the Python clients share the 2 cores: about half
pgbench's rate) and the plain statement 63-65/s falling to 45-49/s in the last quarter.

It keeps to its organization (``bench-college``) and its users (``bench-…@bench.test``),
replaced by each run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/longcode_bench \
        python benchmarks/bench_self_assign.py
"""

import multiprocessing
import os
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/longcode_bench")
os.environ.update(
    DJANGO_SETTINGS_MODULE="config.settings", DEBUG="false", CELERY_BROKER_URL="memory://"
)
CONTACTS = int(os.environ.get("BENCH_CONTACTS", "1000000"))
CLAIMERS = int(os.environ.get("BENCH_CLAIMERS", "32"))
# A minute a run: the plain statement's collapse builds up as it claims (dead index entries
# ahead of the Unassigned), so a 10 s run measured mostly its fast start — here ~57 claims/s
# falling to ~16 over 40 s through pgbench, alike through this harness.
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
PROCESSES = int(os.environ.get("BENCH_PROCESSES", "4"))
BATCH = 100


def ensure_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    maintenance = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


ensure_database(os.environ["DATABASE_URL"])

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from report import REPEATS, Report, ratio_at_least  # noqa: E402

from accounts.models import User  # noqa: E402
from campaigns import self_assign  # noqa: E402
from campaigns.models import (  # noqa: E402
    Campaign,
    CampaignSender,
    Contact,
    SelfAssignClaim,
)
from campaigns.self_assign import self_assign_claim  # noqa: E402
from offices.models import Office, Organization  # noqa: E402
from phone_numbers.models import Kind, PhoneNumber, UseCase  # noqa: E402

CT = Contact._meta.db_table


def build() -> Campaign:
    call_command("migrate", verbosity=0)
    # Keeps to its own organization: the other benchmarks' data in the database stays.
    old = Campaign.objects.filter(organization__slug="bench-college", name="Bench").first()
    if old is not None:
        clear(old)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM campaigns_campaignsender WHERE campaign_id = %s", [old.pk])
            cursor.execute("DELETE FROM accounts_user WHERE email LIKE 'bench-%%@bench.test'")
        return old
    org = Organization.objects.create(name="Bench College", slug="bench-college")
    office = Office.objects.create(organization=org, name="Bench")
    use_case = UseCase.objects.create(organization=org, name="Bench", carrier_reference="CB")
    number = PhoneNumber.objects.create(
        organization=org, use_case=use_case, kind=Kind.DEDICATED, e164="+12125550000"
    )
    campaign = Campaign.objects.create(
        organization=org,
        office=office,
        name="Bench",
        status="active",
        phone_number=number,
        launched_at=timezone.now(),
        self_assign=True,
        batch_size=BATCH,
    )
    return campaign


def clear(campaign: Campaign) -> None:
    """The campaign's contacts, chunks and claims, gone."""
    with connection.cursor() as cursor:
        for table in (CT, "campaigns_unassignedchunk", "campaigns_selfassignclaim"):
            cursor.execute(f"DELETE FROM {table} WHERE campaign_id = %s", [campaign.pk])


def fill(campaign: Campaign) -> None:
    """A fresh pool: every contact Unassigned, no chunks, no dead rows from the last run."""
    self_assign._CHUNKED.clear()  # this process saw the last run's chunks
    clear(campaign)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {CT} (campaign_id, phone, first_name, last_name, fields, created_at) "
            "SELECT %s, '+1212' || lpad(n::text, 7, '0'), 'First', 'Last', '{}', now() "
            "FROM generate_series(1, %s) AS n",
            [campaign.pk, CONTACTS],
        )
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {CT}")


def senders(campaign: Campaign, n: int) -> list[User]:
    users = User.objects.bulk_create(
        User(email=f"bench-{uuid.uuid4().hex[:12]}@bench.test", password="!") for _ in range(n)
    )
    CampaignSender.objects.bulk_create(CampaignSender(campaign=campaign, user=u) for u in users)
    return users


def run(claim: Callable[[int, int], int], label: str) -> dict[str, float]:
    """``claim(thread, n)`` makes the claimer's n-th claim and returns how many it got.

    The claimers are threads spread over ``BENCH_PROCESSES`` forked processes, so Python's
    own lock does not decide the figure; each has its own database connection."""
    connections.close_all()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start = context.Barrier(CLAIMERS)
    processes = [
        context.Process(target=_claimers, args=(p, claim, start, results)) for p in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    gathered = [results.get() for _ in range(CLAIMERS)]
    for process in processes:
        process.join()
    latencies = sorted(x for _, _, _, mine, _ in gathered for x in mine)
    began = min(g[0] for g in gathered)
    ended = max(g[1] for g in gathered)
    # Claims per second in each quarter of the run: the plain statement slows down as the
    # dead index entries ahead of the Unassigned pile up (research/limits.md), the others not.
    finished = [t for *_, times in gathered for t in times]
    quarter = (ended - began) / 4
    quarters = [
        sum(began + q * quarter <= t < began + (q + 1) * quarter for t in finished) / quarter
        for q in range(4)
    ]
    p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else 0.0
    result = {
        "claims": len(latencies),
        "per_second": len(latencies) / (ended - began),
        "p95_ms": p95 * 1000,
        "mean_ms": statistics.mean(latencies) * 1000 if latencies else 0.0,
        "contacts": sum(g[2] for g in gathered),
        "last_quarter": quarters[-1],
    }
    print(
        f"{label:<38} {result['per_second']:6.0f} claims/s   p95 {result['p95_ms']:7.1f} ms   "
        f"mean {result['mean_ms']:6.1f} ms   ({result['claims']} claims; by quarter of the run "
        f"{' / '.join(f'{q:.0f}' for q in quarters)} claims/s; load {os.getloadavg()[0]:.1f})"
    )
    return result


def _claimers(process: int, claim: Callable[[int, int], int], start, results) -> None:
    def claimer(thread: int) -> None:
        mine: list[float] = []
        times: list[float] = []
        got_total, n = 0, 0
        start.wait()
        began = time.time()
        deadline = time.perf_counter() + SECONDS
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            got = claim(thread, n)
            mine.append(time.perf_counter() - t0)
            times.append(time.time())
            n += 1
            got_total += got
            if got == 0:
                break
        results.put((began, time.time(), got_total, mine, times))
        connection.close()

    per_process = CLAIMERS // PROCESSES
    threads = [
        threading.Thread(target=claimer, args=(process * per_process + i,))
        for i in range(per_process)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def real_path(campaign: Campaign) -> dict[str, float]:
    # One fresh sender per claim: each presses Get more with nothing left to send.
    # Room for 1,000 claims/s.
    pool = senders(campaign, CLAIMERS * int(SECONDS * 40))
    per_thread = len(pool) // CLAIMERS

    def claim(thread: int, n: int) -> int:
        user = pool[thread * per_thread + n % per_thread]
        return self_assign_claim(campaign=campaign, sender=user, request_key="bench").count

    # The campaign's first claim cuts the pool into chunks (once per campaign): timed apart.
    began = time.perf_counter()
    self_assign_claim(campaign=campaign, sender=senders(campaign, 1)[0], request_key="first")
    print(f"{'first claim (builds the chunks)':<38} {time.perf_counter() - began:6.2f} s")
    result = run(claim, "self_assign_claim (chunks)")
    check_log(campaign)
    return result


def check_log(campaign: Campaign) -> None:
    """The claim log against the contacts: every counted contact is its claimer's alone."""
    claimed = dict(
        SelfAssignClaim.objects.filter(campaign=campaign, count__gt=0).values_list(
            "user_id", "count"
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT assignee_id, count(*) FROM {CT} WHERE campaign_id = %s "
            "AND assignee_id IS NOT NULL GROUP BY assignee_id",
            [campaign.pk],
        )
        assigned = dict(cursor.fetchall())
    assert claimed == assigned, "a contact went to two senders"
    assert max(assigned.values()) <= BATCH
    print(f"{'':<34} claim log checked: {sum(claimed.values())} contacts, none twice")


def plain(campaign: Campaign) -> dict[str, float]:
    pool = senders(campaign, CLAIMERS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE INDEX bench_unassigned ON {CT} (campaign_id, id) WHERE assignee_id IS NULL"
        )
        # Statistics that know the new index, so every run plans the statement alike (without
        # them some runs read the pool another way and the baseline moved 93-152 claims/s).
        cursor.execute(f"ANALYZE {CT}")

    def claim(thread: int, n: int) -> int:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {CT} SET assignee_id = %s WHERE id IN (SELECT id FROM {CT} "
                "WHERE campaign_id = %s AND assignee_id IS NULL ORDER BY id LIMIT %s "
                "FOR UPDATE SKIP LOCKED)",
                [pool[thread].pk, campaign.pk, BATCH],
            )
            return cursor.rowcount

    try:
        return run(claim, "baseline: plain statement")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX bench_unassigned")


def small_unit(campaign: Campaign) -> dict[str, float]:
    pool = senders(campaign, CLAIMERS)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_batches (id serial PRIMARY KEY, first_id bigint, last_id bigint, "
            "claimed boolean NOT NULL DEFAULT false)"
        )
        cursor.execute(
            "INSERT INTO bench_batches (first_id, last_id) SELECT min(id), max(id) FROM "
            f"(SELECT id, (row_number() OVER (ORDER BY id) - 1) / %s AS n FROM {CT} "
            "WHERE campaign_id = %s) s GROUP BY n ORDER BY 1",
            [BATCH, campaign.pk],
        )
        cursor.execute("CREATE INDEX ON bench_batches (id) WHERE NOT claimed")

    def claim(thread: int, n: int) -> int:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, first_id, last_id FROM bench_batches WHERE NOT claimed "
                "ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
            )
            row = cursor.fetchone()
            if row is None:
                return 0
            cursor.execute("UPDATE bench_batches SET claimed = true WHERE id = %s", [row[0]])
            cursor.execute(
                f"UPDATE {CT} SET assignee_id = %s WHERE id BETWEEN %s AND %s",
                [pool[thread].pk, row[1], row[2]],
            )
            return cursor.rowcount

    try:
        return run(claim, "baseline: small unit (batches table)")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_batches")


def main() -> None:
    campaign = build()
    print(
        f"{CONTACTS:,} contacts, {CLAIMERS} claimers, batches of {BATCH}, {SECONDS:.0f} s each, "
        f"{REPEATS} rounds; load {os.getloadavg()[0]:.1f}"
    )
    methods = {"plain": plain, "small_unit": small_unit, "real": real_path}
    measured: dict[str, list[dict[str, float]]] = {name: [] for name in methods}
    # Baselines and subject in turn, every round on a fresh pool, so the machine's load (shared
    # with other work) hits each alike.
    for _ in range(REPEATS):
        for name, method in methods.items():
            fill(campaign)
            measured[name].append(method(campaign))

    def rates(name: str) -> list[float]:
        return [run["per_second"] for run in measured[name]]

    def p95s(name: str) -> list[float]:
        return [run["p95_ms"] for run in measured[name]]

    report = Report(
        "bench_self_assign",
        f"Self-assign: {CONTACTS:,} Unassigned contacts, {CLAIMERS} concurrent claimers of "
        f"batches of {BATCH} for {SECONDS:.0f} s a run, through `self_assign_claim` (raw SQL on "
        "PostgreSQL), beside the two raw-SQL baselines of research/limits.md (the plain "
        "`UPDATE … SKIP LOCKED` over the contacts; the small-unit claim from a precomputed "
        "batches table); every run's claim log checked: no contact went to two senders",
    )
    report.row(
        "claims/s vs the small-unit claim",
        "claims/s",
        rates("real"),
        rates("small_unit"),
        target=ratio_at_least(0.5),
        baseline_label="small unit",
    )
    report.row(
        "claims/s vs the plain statement",
        "claims/s",
        rates("real"),
        rates("plain"),
        target=ratio_at_least(10),
        baseline_label="plain statement",
    )
    report.row(
        "claims/s in the last quarter of a run vs the plain statement's",
        "claims/s",
        [run["last_quarter"] for run in measured["real"]],
        [run["last_quarter"] for run in measured["plain"]],
        baseline_label="plain statement",
    )
    report.row(
        "p95 claim latency", "ms", p95s("real"), p95s("small_unit"), baseline_label="small unit"
    )
    report.save()


if __name__ == "__main__":
    main()
