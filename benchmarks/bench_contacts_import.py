"""How fast a 100,000-row contacts CSV goes through the upload: read → preview → confirm,
against a raw COPY of the same rows into the same table (the baseline of the same run).
Confirming reuses the rows the preview validated (as the page does), re-checking only
opt-outs and existing contacts.

Run against PostgreSQL (not collected by pytest):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/longcode_bench \\
        .venv/bin/python benchmarks/bench_contacts_import.py [--rows 100000]

It migrates the database and runs each measurement inside a transaction that it rolls back, so
it leaves nothing behind. COPY and upload alternate, BENCH_REPEATS times each (the figure is
the median; benchmarks/report.py); BENCH_SCALE scales the default rows. The target: the whole
upload under 20 s.
"""

import argparse
import io
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from report import Report, alternate, at_most, scaled  # noqa: E402

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


def upload(campaign: Campaign, data: bytes, timings: dict[str, list[float]]) -> int:
    """read → preview → confirm, as the page does; each step's seconds into ``timings``."""
    started = time.perf_counter()
    dataset = contacts_file_read(data)
    timings["read + check the file"].append(time.perf_counter() - started)
    started = time.perf_counter()
    preview = contacts_preview(campaign=campaign, dataset=dataset)
    kept = preview.prepared.to_bytes()  # what the page stores until confirmation
    timings["preview (dry run, keeps rows)"].append(time.perf_counter() - started)
    started = time.perf_counter()
    prepared = PreparedContacts.from_bytes(kept)
    saved = contacts_save(campaign=campaign, prepared=prepared)
    timings["confirm (re-check + COPY)"].append(time.perf_counter() - started)
    assert saved.valid == preview.valid == campaign.contacts.count()
    return preview.valid


def rolled_back(run: Callable[[], float]) -> float:
    """``run``'s figure, with everything it wrote rolled back."""
    figure = 0.0
    try:
        with transaction.atomic():
            figure = run()
            raise Rollback
    except Rollback:
        return figure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=scaled(100_000))
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Run the benchmark on PostgreSQL: set DATABASE_URL=postgres://…")
    call_command("migrate", verbosity=0)
    data = csv_bytes(args.rows)
    timings: dict[str, list[float]] = defaultdict(list)

    def copy_seconds() -> float:
        return raw_copy(campaign_for_bench("copy"), args.rows)

    def upload_seconds() -> float:
        campaign = campaign_for_bench("upload")
        started = time.perf_counter()
        upload(campaign, data, timings)
        return time.perf_counter() - started

    uploads, copies = alternate(
        lambda: rolled_back(upload_seconds), lambda: rolled_back(copy_seconds), warm_up=False
    )
    report = Report(
        "bench_contacts_import",
        f"a {args.rows:,}-row contacts CSV ({len(data) / 1e6:.1f} MB, one bad phone in 500) "
        "through read → preview → confirm, beside a raw `COPY` of the same rows already "
        "normalised (the baseline); each run rolled back.",
    )
    report.row(
        f"whole upload, {args.rows:,} rows",
        "s",
        uploads,
        copies,
        target=at_most(TARGET_SECONDS),
        baseline_label="raw COPY",
    )
    for step, seconds in timings.items():
        report.row(f"upload step: {step}", "s", seconds)
    print(report.save())


if __name__ == "__main__":
    main()
