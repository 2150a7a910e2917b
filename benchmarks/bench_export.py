"""Exporting 1,000,000 phone numbers as CSV through the export view (StreamingHttpResponse over
COPY), beside PostgreSQL's own ``COPY … TO STDOUT`` of the same rows (measured alternately); and
peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/longcode_bench \\
        .venv/bin/python benchmarks/bench_export.py

Targets: at least 1/3 of COPY's throughput; peak memory (resident set) under 150 MB.
Each figure is the median of BENCH_REPEATS runs (benchmarks/report.py); BENCH_SCALE scales the
1,000,000.
"""

import resource
import time
from collections.abc import Iterable

from numbers_data import bench_admin, organization_with_numbers, setup_django
from report import Report, alternate, at_most, ratio_at_least, scaled

ROWS = scaled(1_000_000)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(chunks: Iterable[bytes]) -> tuple[float, float, int, int]:
    """(seconds, seconds to the first chunk, bytes, lines) of reading ``chunks``."""
    started = time.perf_counter()
    first = 0.0
    size = lines = 0
    for chunk in chunks:
        if not first:
            first = time.perf_counter() - started
        size += len(chunk)
        lines += bytes(chunk).count(b"\n")
    return time.perf_counter() - started, first, size, lines


def main() -> None:
    url = setup_django()
    from django.db import connection
    from django.test import Client

    from offices.models import Organization

    org_id = organization_with_numbers("bench-export", ROWS, base=3_000_000_000)
    org = Organization.objects.get(pk=org_id)
    user, _ = bench_admin(org, "bench-export@bench.test")
    client = Client()
    client.force_login(user)
    rss_before = peak_rss_mb()

    # PostgreSQL's own COPY of the same rows in the same order: the stored columns, no lookups.
    baseline = (
        "COPY (SELECT e164, name, description, kind, office_id, agent, response_type, "
        "provisioning_status, created_at FROM phone_numbers_phonenumber "
        f"WHERE organization_id = {org_id} AND provisioning_status <> 'released' "
        "ORDER BY created_at DESC, id DESC) TO STDOUT (FORMAT CSV, HEADER)"
    )

    def copy_chunks() -> Iterable[bytes]:
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            cursor.execute("SET jit = off")
            with cursor.copy(baseline) as copy:
                yield from copy

    def export_chunks() -> Iterable[bytes]:
        response = client.get("/numbers/export.csv")
        assert response.status_code == 200
        return response.streaming_content  # type: ignore[attr-defined]

    copies: list[tuple[float, float, int, int]] = []
    exports: list[tuple[float, float, int, int]] = []

    def copy_rate() -> float:
        copies.append(timed(copy_chunks()))
        return (copies[-1][3] - 1) / copies[-1][0]

    def export_rate() -> float:
        exports.append(timed(export_chunks()))
        return (exports[-1][3] - 1) / exports[-1][0]

    export_rates, copy_rates = alternate(export_rate, copy_rate, warm_up=False)
    assert {e[3] for e in exports} == {c[3] for c in copies}, (exports, copies)
    rows = exports[0][3] - 1
    peak = peak_rss_mb()
    print(f"\nPhone-number CSV export — {rows:,} rows (of {ROWS:,}; released left out), {url}")
    report = Report(
        "bench_export",
        f"`/numbers/export.csv` of {rows:,} numbers (of {ROWS:,}; released left out) through the "
        "view, read to the end, beside PostgreSQL's own `COPY … TO STDOUT` of the stored columns "
        "of the same rows (the baseline); time to the first byte; the process's peak memory.",
    )
    report.row(
        f"export rows/s, {rows:,} rows",
        "rows/s",
        export_rates,
        copy_rates,
        target=ratio_at_least(1 / 3),
        baseline_label="COPY",
    )
    report.row("export: time to the first byte", "ms", [e[1] * 1000 for e in exports])
    report.row(
        f"peak resident memory (before the exports {rss_before:.0f} MB)",
        "MB",
        [peak],
        target=at_most(150),
    )
    print(report.save())


if __name__ == "__main__":
    main()
