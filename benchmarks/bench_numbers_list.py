# ruff: noqa: E501 — SQL and the report table read best unwrapped.
"""The Phone Numbers list at 500,000 numbers in one organization: the page's server time
(first page, a deep page, sorted, filtered, searched) beside the same query in raw SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/longcode_bench .venv/bin/python benchmarks/bench_numbers_list.py

Target: every page under 50 ms at any depth. Each figure is the median of 7 runs.
"""

import statistics
import time
from collections.abc import Callable
from typing import Any

from numbers_data import organization_with_numbers, setup_django

ROWS = 500_000
RUNS = 7


def median_ms(run: Callable[[], object]) -> float:
    run()  # warm the cache
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    url = setup_django()
    from django.db import connection
    from django.test import Client

    from offices.models import Membership, Organization, Role
    from offices.tests.factories import UserFactory
    from phone_numbers.pagination import _encode
    from phone_numbers.selectors import phone_number_list

    org_id = organization_with_numbers("bench-list", ROWS, base=2_000_000_000)
    org = Organization.objects.get(pk=org_id)
    user = UserFactory.create(email="bench-list@bench.test")
    membership, _ = Membership.objects.get_or_create(
        organization=org, user=user, defaults={"role": Role.ADMIN}
    )
    client = Client()
    client.force_login(user)

    def deep_cursor(params: dict[str, str], depth: int) -> str:
        queryset = phone_number_list(organization=org, membership=membership, params=params)
        key = str(queryset.query.order_by[0])
        row = queryset[depth]
        return _encode(key.removeprefix("-"), key.startswith("-"), row, before=False)

    def raw(sql: str, params: list[Any]) -> Callable[[], object]:
        def run() -> object:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        return run

    cases: list[tuple[str, dict[str, str], Callable[[], object]]] = []
    base = "SELECT * FROM phone_numbers_phonenumber WHERE organization_id = %s AND provisioning_status <> 'released'"
    # first page, newest first (the default)
    cases.append(
        (
            "first page, newest first",
            {},
            raw(base + " ORDER BY created_at DESC, id DESC LIMIT 51", [org_id]),
        )
    )
    for label, params, key_sql, desc in [
        ("page 9,000 (row 450,000), newest first", {}, "created_at", True),
        ("page 9,000, sorted by name", {"o": "name"}, "lower(name)", False),
        ("page 9,000, sorted by number desc", {"o": "-number"}, "COALESCE(e164, '')", True),
        ("page 6,000, sorted by kind (ties)", {"o": "kind"}, "kind", False),
        ("page 6,000, sorted by inboxes", {"o": "inboxes"}, "lower(inbox_names)", False),
        ("page 6,000, sorted by office", {"o": "office"}, "lower(office_name)", False),
        ("page 6,000, sorted by usage desc", {"o": "-usage"}, "in_use", True),
        ("page 6,000, sorted by usage", {"o": "usage"}, "in_use", False),
        (
            "page 1,000, kind=reusable by name",
            {"o": "name", "kind": "reusable"},
            "lower(name)",
            False,
        ),
        (
            "page 1,000, agent search, status",
            {"agent": "dana", "status": "complete", "o": "-created"},
            "created_at",
            True,
        ),
    ]:
        depth = (
            450_000
            if "9,000" in label
            else 300_000
            if "6,000" in label
            else 20_000
            if "reusable" in label
            else 50_000
        )
        queryset = phone_number_list(organization=org, membership=membership, params=params)
        key_name = str(queryset.query.order_by[0]).removeprefix("-")
        row = queryset[depth]
        value = getattr(row, key_name)
        op = "<" if desc else ">"
        direction = "DESC" if desc else "ASC"
        extra = ""
        extra_params: list[Any] = []
        if params.get("kind"):
            extra += " AND kind = %s"
            extra_params.append(params["kind"])
        if params.get("agent"):
            extra += " AND agent ILIKE %s AND provisioning_status = %s"
            extra_params += [f"%{params['agent']}%", params["status"]]
        sql = f"{base}{extra} AND ({key_sql}, id) {op} (%s, %s) ORDER BY {key_sql} {direction}, id {direction} LIMIT 51"
        page_cursor = deep_cursor(params, depth)
        cases.append(
            (
                label,
                {**params, "cursor": page_cursor},
                raw(sql, [org_id, *extra_params, value, row.pk]),
            )
        )
    # The inboxes, office and usage sorts read keys the database keeps on the row
    # (PhoneNumber.inbox_names, office_name, in_use).
    for column, key in [
        ("inboxes", "lower(inbox_names)"),
        ("office", "lower(office_name)"),
        ("usage", "in_use"),
    ]:
        for direction in ("ASC", "DESC"):
            cases.append(
                (
                    f"first page, sorted by {column}{' desc' if direction == 'DESC' else ''}",
                    {"o": column if direction == "ASC" else f"-{column}"},
                    raw(base + f" ORDER BY {key} {direction}, id {direction} LIMIT 51", [org_id]),
                )
            )
    cases.append(
        (
            'first page, search q="term 3"',
            {"q": "term 3"},
            raw(
                base
                + " AND (e164 ILIKE %s OR name ILIKE %s OR description ILIKE %s) ORDER BY created_at DESC, id DESC LIMIT 51",
                [org_id, "%term 3%", "%term 3%", "%term 3%"],
            ),
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(base.replace("*", "count(*)"), [org_id])
        total = cursor.fetchone()[0]
    offset_ms = median_ms(
        raw(base + " ORDER BY created_at DESC, id DESC OFFSET 450000 LIMIT 51", [org_id])
    )

    print(
        f"\nPhone Numbers list — {ROWS:,} numbers in one organization ({total:,} not released), {url}"
    )
    print(f"{'page':44} {'view ms':>8} {'raw SQL ms':>10} {'ratio':>6}  target <50 ms")
    for label, params, raw_run in cases:

        def view(params: dict[str, str] = params, label: str = label) -> object:
            response = client.get("/numbers/", params)
            assert response.status_code == 200, (label, response.status_code)
            return response

        view_ms = median_ms(view)
        raw_ms = median_ms(raw_run)
        verdict = "ok" if view_ms < 50 else "OVER"
        print(f"{label:44} {view_ms:8.1f} {raw_ms:10.1f} {view_ms / raw_ms:6.1f}  {verdict}")
    print(f"{'(for scale: OFFSET 450000 LIMIT 51 in raw SQL)':44} {'':8} {offset_ms:10.1f}")
    # An empty view through the same signed-in client: session, user and tenant middleware, the
    # fixed cost of any page.
    empty_ms = median_ms(lambda: client.get("/healthz"))
    print(f"{'(for scale: an empty view, signed in)':44} {empty_ms:8.1f}")


if __name__ == "__main__":
    main()
