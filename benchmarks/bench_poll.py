"""Benchmark: one provisioning poll pass over 10,000 numbers in flight.

Claims due numbers in batches (SKIP LOCKED), reads their statuses from the zero-latency
simulated carrier and applies the results — through the engine (``provisioning_poll``) and,
as the baseline in the same run, the same claim-read-update done in raw SQL. Two scenarios:
every number approved (complete), and every number still pending (rescheduled).

Reports numbers polled per second (median of BENCH_REPEATS runs, alternately with raw SQL), the
ratio to raw SQL (target ≥ 0.5), and the queries per batch counted with Django's
CaptureQueriesContext (constant, not per number). The numbers belong to an organization of
their own ("bench-poll"), kept between runs; nothing else in the database is touched.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/longcode_bench python benchmarks/bench_poll.py
"""

import os
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from report import Report, alternate, ratio_at_least, scaled  # noqa: E402

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/longcode_bench")
os.environ.update(
    DJANGO_SETTINGS_MODULE="config.settings",
    DEBUG="false",
    CELERY_BROKER_URL="memory://",
    SIMULATED_CARRIER_LATENCY="0-0",
    SIMULATED_CARRIER_ERROR_RATE="0",
    PROVISIONING_POLL_SECONDS="10",
)
NUMBERS = scaled(int(os.environ.get("BENCH_NUMBERS", "10000")))
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
from phone_numbers.models import (  # noqa: E402
    Kind,
    PhoneNumber,
    ProvisioningAttempt,
    UseCase,
)
from provisioning.carriers.simulated_state import SimulatedSubmission  # noqa: E402
from provisioning.polling import provisioning_poll  # noqa: E402

PN = PhoneNumber._meta.db_table
SUB = SimulatedSubmission._meta.db_table
ATT = ProvisioningAttempt._meta.db_table


SLUG = "bench-poll"


def build() -> int:
    """The id of the benchmark's own organization with its numbers in flight, each with its
    carrier submission and attempt: made once, reused by later runs (``reset`` puts them back
    in flight)."""
    call_command("migrate", verbosity=0)
    org = Organization.objects.filter(slug=SLUG).first()
    if org is not None:
        if PhoneNumber.objects.filter(organization=org).count() == NUMBERS:
            return org.pk
        drop(org.pk)
    org = Organization.objects.create(name="Bench poll", slug=SLUG)
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
    return org.pk


def drop(org_id: int) -> None:
    """The organization and only its rows (the carrier's submissions are not the org's)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {SUB} WHERE ref IN (SELECT carrier_provisioning_ref FROM {PN} "
            "WHERE organization_id = %s)",
            [org_id],
        )
        # The numbers first: a use case is protected while a number still names it.
        PhoneNumber.objects.filter(organization_id=org_id).delete()
        Organization.objects.filter(pk=org_id).delete()


def reset(org_id: int, *, approved: bool) -> None:
    """Every number of the organization initiated and due again; the carriers have decided (or
    not yet)."""
    decide_at = "now() - interval '1 second'" if approved else "now() + interval '1 day'"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {PN} SET provisioning_status = 'initiated', completed_at = NULL, "
            "next_poll_at = now() - interval '1 minute', poll_leased_until = NULL, "
            "attempt_started_at = now() "
            "WHERE organization_id = %s",
            [org_id],
        )
        cursor.execute(
            f"UPDATE {SUB} SET decide_at = {decide_at} WHERE ref IN "
            f"(SELECT carrier_provisioning_ref FROM {PN} WHERE organization_id = %s)",
            [org_id],
        )
        cursor.execute(
            f"UPDATE {ATT} SET outcome = 'pending', ended_at = NULL, reason = '' "
            f"WHERE phone_number_id IN (SELECT id FROM {PN} WHERE organization_id = %s)",
            [org_id],
        )
    vacuum()


def vacuum(*, numbers: bool = False) -> None:
    """Each run starts without the dead index entries of the last (research/limits.md). The
    numbers' table holds the other benchmarks' numbers too, and vacuuming it reads every index
    of it (seconds): it is vacuumed before each scenario, while its runs alternate."""
    with connection.cursor() as cursor:
        for table in (PN, SUB, ATT) if numbers else (SUB, ATT):
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


def rate(org_id: int, run, *, approved: bool) -> float:
    """Numbers polled per second by one pass of ``run`` from a fresh reset."""
    reset(org_id, approved=approved)
    start = time.perf_counter()
    polled = run()
    elapsed = time.perf_counter() - start
    # Only this organization's numbers are ever due: the other benchmarks' are not in flight.
    assert polled == NUMBERS, (polled, NUMBERS)
    return polled / elapsed


def queries_per_batch(org_id: int, *, approved: bool) -> tuple[float, int]:
    reset(org_id, approved=approved)
    with CaptureQueriesContext(connection) as captured:
        report = provisioning_poll(batch_size=BATCH)
    return len(captured) / report.batches, report.batches


def main() -> None:
    print(f"{NUMBERS:,} numbers in flight …", flush=True)
    org_id = build()
    report = Report(
        "bench_poll",
        f"one provisioning poll pass over {NUMBERS:,} numbers in flight (batches of {BATCH}, the "
        "simulated carrier at zero latency) through the engine (`provisioning_poll`), beside the "
        "same claim-read-update in raw SQL (the baseline); statements per batch.",
    )
    for label, approved in (("approved → complete", True), ("still pending → rescheduled", False)):
        reset(org_id, approved=approved)
        vacuum(numbers=True)
        engine, raw = alternate(
            lambda approved=approved: rate(org_id, engine_pass, approved=approved),
            lambda approved=approved: rate(org_id, raw_pass, approved=approved),
            warm_up=False,
        )
        per_batch, batches = queries_per_batch(org_id, approved=approved)
        expected = "complete" if approved else "initiated"
        polled = PhoneNumber.objects.filter(organization_id=org_id, provisioning_status=expected)
        assert polled.count() == NUMBERS
        report.row(
            f"poll pass, {label}: numbers/s",
            "numbers/s",
            engine,
            raw,
            target=ratio_at_least(0.5),
            baseline_label="raw SQL",
        )
        # Every statement of the engine's pass (BEGIN, claim, the carrier's status read, the
        # updates, COMMIT) over the batches, the final empty claim included; the raw SQL
        # baseline runs 5 statements per batch plus BEGIN/COMMIT.
        report.row(
            f"poll pass, {label}: statements per batch ({batches} batches)",
            "statements",
            [per_batch],
        )
    print(report.save())


if __name__ == "__main__":
    main()
