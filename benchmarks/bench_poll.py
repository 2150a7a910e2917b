"""Benchmark: one provisioning poll pass over 10,000 numbers in flight.

Claims due numbers in batches (SKIP LOCKED), reads their statuses from the zero-latency
simulated carrier and applies the results — through the engine (``provisioning_poll``) and,
as the baseline in the same run, the same claim-read-update done in raw SQL. Two scenarios:
every number approved (complete), and every number still pending (rescheduled).

Reports numbers polled per second (best of two runs each), the ratio to raw SQL, and the
queries per batch counted with Django's CaptureQueriesContext (constant, not per number).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/longcode_bench python benchmarks/bench_poll.py
"""

import os
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/longcode_bench")
os.environ.update(
    DJANGO_SETTINGS_MODULE="config.settings",
    DEBUG="false",
    CELERY_BROKER_URL="memory://",
    SIMULATED_CARRIER_LATENCY="0-0",
    SIMULATED_CARRIER_ERROR_RATE="0",
    PROVISIONING_POLL_SECONDS="10",
)
NUMBERS = int(os.environ.get("BENCH_NUMBERS", "10000"))
BATCH = int(os.environ.get("BENCH_BATCH", "100"))


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
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from offices.models import Organization  # noqa: E402
from phone_numbers.models import Kind, PhoneNumber, UseCase  # noqa: E402
from provisioning.carriers.simulated_state import SimulatedSubmission  # noqa: E402
from provisioning.models import ProvisioningAttempt  # noqa: E402
from provisioning.polling import provisioning_poll  # noqa: E402

PN = PhoneNumber._meta.db_table
SUB = SimulatedSubmission._meta.db_table
ATT = ProvisioningAttempt._meta.db_table


def build() -> None:
    """10,000 single-use numbers in flight, each with its carrier submission and attempt."""
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {ATT}, {SUB}, {PN}, offices_organization CASCADE")
    org = Organization.objects.create(name="Bench College", slug="bench-college")
    use_case = UseCase.objects.create(organization=org, name="Bench", carrier_reference="CB")
    now = timezone.now()
    numbers = PhoneNumber.objects.bulk_create(
        [
            PhoneNumber(
                organization=org,
                use_case=use_case,
                kind=Kind.SINGLE_USE,
                area_codes=["212"],
                e164=f"+1212{2000000 + n}",
                carrier_number_id=f"SIMPN{n:08d}",
                carrier_provisioning_ref=f"SUB-SIMPN{n:08d}",
                attempts=1,
            )
            for n in range(NUMBERS)
        ],
        batch_size=2000,
    )
    SimulatedSubmission.objects.bulk_create(
        [
            SimulatedSubmission(
                ref=n.carrier_provisioning_ref,
                carrier_number_id=n.carrier_number_id,
                customer_reference=str(n.idempotency_key),
                e164=n.e164 or "",
                area_code="212",
                submitted_at=now,
                decide_at=now,
                approved=True,
            )
            for n in numbers
        ],
        batch_size=2000,
    )
    ProvisioningAttempt.objects.bulk_create(
        [
            ProvisioningAttempt(
                phone_number=n,
                n=1,
                e164=n.e164 or "",
                area_code="212",
                carrier_provisioning_ref=n.carrier_provisioning_ref,
                started_at=now,
            )
            for n in numbers
        ],
        batch_size=2000,
    )


def reset(*, approved: bool) -> None:
    """Every number initiated and due again; the carriers have decided (or not yet)."""
    decide_at = "now() - interval '1 second'" if approved else "now() + interval '1 day'"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {PN} SET provisioning_status = 'initiated', completed_at = NULL, "
            "next_poll_at = now() - interval '1 minute', attempt_started_at = now()"
        )
        cursor.execute(f"UPDATE {SUB} SET decide_at = {decide_at}")
        cursor.execute(f"UPDATE {ATT} SET outcome = 'pending', ended_at = NULL, reason = ''")
    vacuum()


def vacuum() -> None:
    # Both sides start from the same clean table (research/limits.md: dead index entries).
    with connection.cursor() as cursor:
        for table in (PN, SUB, ATT):
            cursor.execute(f"VACUUM ANALYZE {table}")


def raw_pass() -> int:
    """The baseline: claim, read statuses, update numbers and attempts, in plain SQL."""
    polled = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, carrier_provisioning_ref FROM {PN} "
                "WHERE provisioning_status IN ('requested', 'initiated') AND next_poll_at <= now() "
                "ORDER BY next_poll_at, id LIMIT %s FOR UPDATE SKIP LOCKED",
                [BATCH],
            )
            claimed = cursor.fetchall()
            if not claimed:
                return polled
            refs = [ref for _, ref in claimed]
            cursor.execute(
                f"SELECT ref FROM {SUB} WHERE ref = ANY(%s) AND decide_at <= now() AND approved",
                [refs],
            )
            done = {ref for (ref,) in cursor.fetchall()}
            complete = [pk for pk, ref in claimed if ref in done]
            pending = [pk for pk, ref in claimed if ref not in done]
            cursor.execute(
                f"UPDATE {PN} SET provisioning_status = 'complete', completed_at = now(), "
                "next_poll_at = NULL, updated_at = now() "
                "WHERE id = ANY(%s) AND provisioning_status = 'initiated'",
                [complete],
            )
            cursor.execute(
                f"UPDATE {PN} SET next_poll_at = now() + interval '10 seconds', updated_at = now() "
                "WHERE id = ANY(%s) AND provisioning_status = 'initiated'",
                [pending],
            )
            cursor.execute(
                f"UPDATE {ATT} SET outcome = 'approved', ended_at = now() "
                "WHERE phone_number_id = ANY(%s) AND outcome = 'pending'",
                [complete],
            )
            polled += len(claimed)


def engine_pass() -> int:
    return provisioning_poll(batch_size=BATCH).polled


def timed(run, *, approved: bool) -> float:
    best = 0.0
    for _ in range(2):
        reset(approved=approved)
        start = time.perf_counter()
        polled = run()
        elapsed = time.perf_counter() - start
        assert polled == NUMBERS, (polled, NUMBERS)
        best = max(best, polled / elapsed)
    return best


def queries_per_batch(*, approved: bool) -> tuple[float, int]:
    reset(approved=approved)
    with CaptureQueriesContext(connection) as captured:
        report = provisioning_poll(batch_size=BATCH)
    return len(captured) / report.batches, report.batches


def main() -> None:
    print(f"Building {NUMBERS:,} numbers in flight …", flush=True)
    build()
    rows = []
    for label, approved in (("approved → complete", True), ("still pending → rescheduled", False)):
        raw = timed(raw_pass, approved=approved)
        engine = timed(engine_pass, approved=approved)
        per_batch, batches = queries_per_batch(approved=approved)
        expected = "complete" if approved else "initiated"
        assert PhoneNumber.objects.filter(provisioning_status=expected).count() == NUMBERS
        rows.append((label, raw, engine, per_batch, batches))
    print()
    print(f"Provisioning poll pass: {NUMBERS:,} numbers, batches of {BATCH}, PostgreSQL")
    print(f"{'scenario':<30}{'raw SQL /s':>12}{'engine /s':>12}{'ratio':>8}{'queries/batch':>15}")
    for label, raw, engine, per_batch, batches in rows:
        print(
            f"{label:<30}{raw:>12,.0f}{engine:>12,.0f}{engine / raw:>8.2f}"
            f"{per_batch:>11.2f} ({batches} batches)"
        )
    print(
        "\nqueries/batch: every statement of the engine's pass (BEGIN, claim, the carrier's "
        "status read, the updates, COMMIT) over the batches, the final empty claim included. "
        "The raw SQL baseline runs 5 statements per batch plus BEGIN/COMMIT."
    )


if __name__ == "__main__":
    main()
