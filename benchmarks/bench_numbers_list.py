# ruff: noqa: E501 — SQL and the report table read best unwrapped.
"""The Phone Numbers list at 500,000 numbers in one organization: the page's server time
(first page, a deep page, sorted, filtered, searched — searches and filters that match many rows,
few and none) beside the same query in raw SQL, measured alternately.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/longcode_bench .venv/bin/python benchmarks/bench_numbers_list.py

Target: every page under 50 ms at any depth and any selectivity. Each figure is the median of
BENCH_REPEATS runs (benchmarks/report.py); BENCH_SCALE scales the 500,000.
"""

from collections.abc import Callable
from typing import Any

from numbers_data import bench_admin, organization_with_numbers, setup_django
from report import Report, alternate, at_most, elapsed_ms, scaled

ROWS = scaled(500_000)
# A name's md5 part that only one number has ("Number " || md5('123457')), and a four-letter
# one that a few hundred have.
RARE = "1887d3f9e6"
FEW = "beef"


def main() -> None:
    url = setup_django()
    from django.db import connection
    from django.test import Client

    from offices.models import Organization
    from phone_numbers.pagination import _encode
    from phone_numbers.selectors import phone_number_list

    org_id = organization_with_numbers("bench-list", ROWS, base=2_000_000_000)
    org = Organization.objects.get(pk=org_id)
    user, membership = bench_admin(org, "bench-list@bench.test")
    client = Client()
    client.force_login(user)

    def deep_cursor(params: dict[str, str], depth: int) -> str:
        queryset = phone_number_list(organization=org, membership=membership, params=params)
        key = str(queryset.query.order_by[0])
        row = queryset.values(key.removeprefix("-"), "id")[depth]
        return _encode(key.removeprefix("-"), key.startswith("-"), row, before=False)

    def raw(sql: str, params: list[Any]) -> Callable[[], object]:
        def run() -> object:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        return run

    cases: list[tuple[str, dict[str, str], Callable[[], object]]] = []
    base = "SELECT * FROM phone_numbers_phonenumber WHERE organization_id = %s AND provisioning_status <> 'released'"
    newest = " ORDER BY created_at DESC, id DESC LIMIT 51"
    # first page, newest first (the default)
    cases.append(("first page, newest first", {}, raw(base + newest, [org_id])))
    # (label, params, sort key in SQL, descending, depth as a share of the organization)
    for label, params, key_sql, desc, share in [
        ("newest first", {}, "created_at", True, 0.9),
        ("sorted by name", {"o": "name"}, "lower(name)", False, 0.9),
        ("sorted by number desc", {"o": "-number"}, "COALESCE(e164, '')", True, 0.9),
        ("sorted by kind (ties)", {"o": "kind"}, "kind", False, 0.6),
        ("sorted by inboxes", {"o": "inboxes"}, "lower(inbox_names)", False, 0.6),
        ("sorted by office", {"o": "office"}, "lower(office_name)", False, 0.6),
        ("sorted by usage desc", {"o": "-usage"}, "in_use", True, 0.6),
        ("sorted by usage", {"o": "usage"}, "in_use", False, 0.6),
        ("kind=reusable by name", {"o": "name", "kind": "reusable"}, "lower(name)", False, 0.04),
        (
            "agent search, status",
            {"agent": "dana", "status": "complete", "o": "-created"},
            "created_at",
            True,
            0.1,
        ),
        (f"search q={FEW} (a few hundred match)", {"q": FEW}, "created_at", True, 0.0002),
    ]:
        depth = int(ROWS * share)
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
            extra += " AND upper(agent::text) LIKE upper(%s) AND provisioning_status = %s"
            extra_params += [f"%{params['agent']}%", params["status"]]
        if params.get("q"):
            extra += TEXT_SEARCH
            extra_params.append(f"%{params['q']}%")
        sql = f"{base}{extra} AND ({key_sql}, id) {op} (%s, %s) ORDER BY {key_sql} {direction}, id {direction} LIMIT 51"
        page_cursor = deep_cursor(params, depth)
        cases.append(
            (
                f"page {depth // 50 + 1:,} (row {depth:,}), {label}",
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
    # Searches and filters from many matches to none: a rare one must not read the whole
    # organization in sort order looking for a page that never fills.
    for label, params, extra, extra_params in [
        ('search q="term 3" (1 in 7 match)', {"q": "term 3"}, TEXT_SEARCH, ["%term 3%"]),
        (
            'search q="outreach line 99" (1 in 125 match)',
            {"q": "outreach line 99"},
            TEXT_SEARCH,
            ["%outreach line 99%"],
        ),
        (f"search q={FEW} (a few hundred match)", {"q": FEW}, TEXT_SEARCH, [f"%{FEW}%"]),
        (f"search q={RARE} (one matches)", {"q": RARE}, TEXT_SEARCH, [f"%{RARE}%"]),
        ("search q=zzzz (none match)", {"q": "zzzz"}, TEXT_SEARCH, ["%zzzz%"]),
        # Two characters hold no trigram: they match the start of the name (or area code).
        ("search q=zz (none match)", {"q": "zz"}, SHORT_SEARCH, ["zz%"]),
        ("search q=z (none match)", {"q": "z"}, SHORT_SEARCH, ["z%"]),
        ("search q=Nu (all match)", {"q": "Nu"}, SHORT_SEARCH, ["Nu%"]),
        ("search q=41 (no area code matches)", {"q": "41"}, SHORT_DIGITS, ["41%", "+141%"]),
        ("search q=20 (every area code matches)", {"q": "20"}, SHORT_DIGITS, ["20%", "+120%"]),
        (
            "search q=2000123456 (a number, one matches)",
            {"q": "2000123456"},
            NUMBER_SEARCH,
            ["%2000123456%"] * 2,
        ),
        (
            "search q=(200) 012-3456 (a number typed, one matches)",
            {"q": "(200) 012-3456"},
            NUMBER_SEARCH,
            ["%(200) 012-3456%", "%2000123456%"],
        ),
        (
            "filter agent=nobody (none match)",
            {"agent": "nobody"},
            " AND upper(agent::text) LIKE upper(%s)",
            ["%nobody%"],
        ),
        (
            "filter agent=dana (1 in 5 match)",
            {"agent": "dana"},
            " AND upper(agent::text) LIKE upper(%s)",
            ["%dana%"],
        ),
        (
            "filter agent=da (1 in 5 start so)",
            {"agent": "da"},
            " AND upper(agent::text) LIKE upper(%s)",
            ["da%"],
        ),
        (
            "filter agent=zz (none start so)",
            {"agent": "zz"},
            " AND upper(agent::text) LIKE upper(%s)",
            ["zz%"],
        ),
        (
            "filter status=requested (none match)",
            {"status": "requested"},
            " AND provisioning_status = %s",
            ["requested"],
        ),
        (
            "filter response type=bot (none match)",
            {"response_type": "bot"},
            " AND response_type = %s",
            ["bot"],
        ),
    ]:
        cases.append(
            (f"first page, {label}", params, raw(base + extra + newest, [org_id, *extra_params]))
        )

    with connection.cursor() as cursor:
        cursor.execute(base.replace("*", "count(*)"), [org_id])
        total = cursor.fetchone()[0]

    report = Report(
        "bench_numbers_list",
        f"the Phone Numbers page through the whole view (Django test client, signed in as an admin) "
        f"at {ROWS:,} numbers in one organization ({total:,} not released), beside the same query "
        "in raw SQL (the baseline); an empty signed-in view and OFFSET paging for scale.",
    )
    print(
        f"\nPhone Numbers list — {ROWS:,} numbers in one organization ({total:,} not released), {url}"
    )
    for label, params, raw_run in cases:

        def view(params: dict[str, str] = params, label: str = label) -> object:
            response = client.get("/numbers/", params)
            assert response.status_code == 200, (label, response.status_code)
            return response

        views, raws = alternate(
            lambda view=view: elapsed_ms(view), lambda raw_run=raw_run: elapsed_ms(raw_run)
        )
        report.row(label, "ms", views, raws, target=at_most(50), baseline_label="raw SQL")
    # An empty view through the same signed-in client: session, user and tenant middleware, the
    # fixed cost of any page.
    empty, offset = alternate(
        lambda: elapsed_ms(lambda: client.get("/healthz")),
        lambda: elapsed_ms(
            raw(base + newest.replace("LIMIT", f"OFFSET {int(ROWS * 0.9)} LIMIT"), [org_id])
        ),
    )
    report.row("(for scale) an empty view, signed in", "ms", empty)
    report.row(f"(for scale) OFFSET {int(ROWS * 0.9):,} LIMIT 51 in raw SQL", "ms", offset)
    print(report.save())


# Django's search (phone_numbers/filters.py) as it writes it: text in the name and description,
# which the number's search text holds upper-cased; the number (which has no case) only for
# digits, and for a number typed, by its digits.
TEXT_SEARCH = " AND search_text LIKE upper(%s)"
NUMBER_SEARCH = " AND (search_text LIKE upper(%s) OR e164::text LIKE %s)"
# One or two characters: the start of the name, and for digits of the area code.
SHORT_SEARCH = " AND upper(name::text) LIKE upper(%s)"
SHORT_DIGITS = " AND (upper(name::text) LIKE upper(%s) OR e164::text LIKE %s)"


if __name__ == "__main__":
    main()
