"""How fast a 100,000-row contacts CSV goes through the upload: read → preview → confirm,
against a raw COPY of the same rows into the same table (the baseline of the same run).
Confirming reuses the rows the preview validated (as the page does), re-checking only
opt-outs and existing contacts.

Run against PostgreSQL (not collected by pytest):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/longcode_bench \\
        .venv/bin/python benchmarks/bench_contacts_import.py [--rows 100000]

It migrates the database, works inside one transaction and rolls it back at the end, so it
leaves nothing behind. The target: the whole upload under 20 s.
"""

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from campaigns.contacts_import import (  # noqa: E402
    PreparedContacts,
    contacts_file_read,
    contacts_preview,
    contacts_save,
)
from campaigns.models import Campaign, Contact  # noqa: E402
from offices.models import Office, Organization  # noqa: E402

AREA_CODES = ["201", "202", "212", "213", "305", "312", "415", "617", "646", "718", "917", "929"]
TARGET_SECONDS = 20.0


class Rollback(Exception):
    pass


def csv_bytes(rows: int) -> bytes:
    """rows valid contacts, one bad phone in every 500, with one extra column."""
    out = io.StringIO()
    out.write("phone,first_name,last_name,school\n")
    for i in range(rows):
        area, line = AREA_CODES[i // 10000 % len(AREA_CODES)], i % 10000
        phone = "not-a-phone" if i % 500 == 499 else f"({area}) 555-{line:04d}"
        out.write(f"{phone},First{i},Last{i},School {i % 37}\n")
    return out.getvalue().encode()


def campaign_for_bench(name: str) -> Campaign:
    org = Organization.objects.create(name=f"Bench {name}", slug=f"bench-{name}-{time.time_ns()}")
    office = Office.objects.create(organization=org, name="Bench office")
    return Campaign.objects.create(organization=org, office=office, name=name)


def raw_copy(campaign: Campaign, rows: int) -> float:
    """The floor: the same rows, already normalised, COPYed straight into the table."""
    columns = "campaign_id, phone, first_name, last_name, fields, created_at"
    started = time.perf_counter()
    with (
        connection.cursor() as cursor,
        cursor.connection.cursor().copy(
            f"COPY {Contact._meta.db_table} ({columns}) FROM STDIN"
        ) as copy,
    ):
        for i in range(rows):
            if i % 500 == 499:
                continue
            area, line = AREA_CODES[i // 10000 % len(AREA_CODES)], i % 10000
            fields = json.dumps({"school": f"School {i % 37}"})
            copy.write_row(
                (campaign.pk, f"+1{area}555{line:04d}", f"First{i}", f"Last{i}", fields, "now")
            )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Run the benchmark on PostgreSQL: set DATABASE_URL=postgres://…")
    call_command("migrate", verbosity=0)
    data = csv_bytes(args.rows)
    timings: dict[str, float] = {}
    try:
        with transaction.atomic():
            baseline = campaign_for_bench("copy")
            timings["raw COPY"] = raw_copy(baseline, args.rows)
            campaign = campaign_for_bench("upload")

            started = time.perf_counter()
            dataset = contacts_file_read(data)
            timings["read + check the file"] = time.perf_counter() - started
            started = time.perf_counter()
            preview = contacts_preview(campaign=campaign, dataset=dataset)
            kept = preview.prepared.to_bytes()  # what the page stores until confirmation
            timings["preview (dry run, keeps rows)"] = time.perf_counter() - started
            started = time.perf_counter()
            prepared = PreparedContacts.from_bytes(kept)
            saved = contacts_save(campaign=campaign, prepared=prepared)
            timings["confirm (re-check + COPY)"] = time.perf_counter() - started
            assert saved.valid == preview.valid == campaign.contacts.count()
            raise Rollback
    except Rollback:
        pass
    upload = sum(v for k, v in timings.items() if k != "raw COPY")
    copy = timings["raw COPY"]
    print(
        f"Contacts import, {args.rows:,} rows ({len(data) / 1e6:.1f} MB), "
        f"{preview.valid:,} valid, {preview.skipped:,} reported"
    )
    print(f"{'step':<32}{'seconds':>10}{'rows/s':>12}")
    for step, seconds in timings.items():
        print(f"{step:<32}{seconds:>10.2f}{args.rows / seconds:>12,.0f}")
    print(f"{'whole upload (read+preview+confirm)':<32}{upload:>7.2f}")
    print(
        f"upload / raw COPY: {upload / copy:.1f} times the time of COPY "
        f"(COPY is {copy / upload:.2f} of the upload)"
    )
    verdict = "PASS" if upload < TARGET_SECONDS else "FAIL"
    print(f"target: whole upload under {TARGET_SECONDS:.0f} s → {verdict}")


if __name__ == "__main__":
    main()
