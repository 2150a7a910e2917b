"""Exporting 1,000,000 phone numbers as CSV through the export view (StreamingHttpResponse over
COPY), beside PostgreSQL's own ``COPY … TO STDOUT`` of the same rows; and peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/longcode_bench \\
        .venv/bin/python benchmarks/bench_export.py

Targets: at least 1/3 of COPY's throughput; peak memory (resident set) under 150 MB.
Each figure is the best of 3 runs (the machines are shared; the best run is the least disturbed).
"""

import resource
import time
from collections.abc import Iterable

from numbers_data import organization_with_numbers, setup_django

ROWS = 1_000_000
RUNS = 3


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

    from offices.models import Membership, Organization, Role
    from offices.tests.factories import UserFactory

    org_id = organization_with_numbers("bench-export", ROWS, base=3_000_000_000)
    org = Organization.objects.get(pk=org_id)
    user = UserFactory.create(email="bench-export@bench.test")
    Membership.objects.get_or_create(organization=org, user=user, defaults={"role": Role.ADMIN})
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

    copies = [timed(copy_chunks()) for _ in range(RUNS)]

    def export_chunks() -> Iterable[bytes]:
        response = client.get("/numbers/export.csv")
        assert response.status_code == 200
        return response.streaming_content  # type: ignore[attr-defined]

    exports = [timed(export_chunks()) for _ in range(RUNS)]
    copy_s, _, copy_bytes, copy_lines = min(copies)
    export_s, first_s, export_bytes, export_lines = min(exports)
    assert export_lines == copy_lines, (export_lines, copy_lines)

    rows = export_lines - 1
    copy_rate, export_rate = rows / copy_s, rows / export_s
    ratio = export_rate / copy_rate
    peak = peak_rss_mb()
    print(f"\nPhone-number CSV export — {rows:,} rows (of {ROWS:,}; released left out), {url}")
    print(f"{'method':58} {'rows/s':>9} {'MB':>6} {'vs COPY':>8}")
    for label, rate, size, vs in [
        ("COPY … TO STDOUT, stored columns (psycopg cursor.copy)", copy_rate, copy_bytes, 1.0),
        (
            "/numbers/export.csv (COPY of the list query, neutralised)",
            export_rate,
            export_bytes,
            ratio,
        ),
    ]:
        print(f"{label:58} {rate:9,.0f} {size / 1e6:6.0f} {vs:8.2f}")
    verdict = "ok" if ratio >= 1 / 3 else "UNDER"
    print(f"first byte after {first_s * 1000:.0f} ms; target ≥ 0.33 of COPY: {verdict}")
    print(
        f"peak resident memory {peak:.0f} MB (before the exports {rss_before:.0f} MB); "
        f"target < 150 MB: {'ok' if peak < 150 else 'OVER'}"
    )


if __name__ == "__main__":
    main()
