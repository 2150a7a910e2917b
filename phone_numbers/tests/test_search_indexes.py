"""The Phone Numbers list's substring search and agent filter are served by trigram indexes
(phone_numbers/sql.py POSTGRESQL_SEARCH_INDEXES) only while the SQL Django writes for their
lookups is the indexed expression: a lookup changed in filters.py (``iexact``, ``Lower``) would
silently bring back a read of the whole organization for every search that matches few rows.
With sequential scans priced out, the planner reaches for the indexes if and only if they fit."""

import pytest
from django.db import connection, transaction

from phone_numbers.models import PhoneNumber
from phone_numbers.selectors import phone_number_filter
from phone_numbers.sql import (
    POSTGRESQL_PREFIX_INDEXES,
    POSTGRESQL_SEARCH_INDEXES,
    POSTGRESQL_SEARCH_STATISTICS,
)

pytestmark = pytest.mark.django_db


def plan(queryset, *, walk: bool = False) -> str:
    """The plan of ``queryset``'s WHERE clause alone (no order, no limit); with ``walk``, of
    a sequential scan that tests every row instead."""
    sql, params = queryset.order_by().query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # Only a bitmap scan of an index whose expression fits the condition is left (or, for
        # a walk, only the scan that reads every row).
        off = (
            ("indexscan", "indexonlyscan", "bitmapscan")
            if walk
            else ("seqscan", "indexscan", "indexonlyscan")
        )
        for scan in off:
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def searched(cast, **params: str):
    """The list's query for ``params`` without the organization (whose B-tree would do)."""
    filterset = phone_number_filter(
        organization=cast.org, membership=cast.alice.memberships.get(), params=params
    )
    assert filterset.is_valid(), filterset.errors
    return filterset.filter_queryset(PhoneNumber.objects.all())


def test_every_declared_search_index_is_in_place() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
            [PhoneNumber._meta.db_table],
        )
        present = dict(cursor.fetchall())

    for name in POSTGRESQL_SEARCH_INDEXES:
        assert "USING gin" in present.get(name, ""), name
        assert "gin_trgm_ops" in present[name]


def test_the_searched_expressions_keep_fine_statistics() -> None:
    """The planner tells a rare match (trigram scan) from a common one (the sort key's index)
    by these statistics (POSTGRESQL_SEARCH_STATISTICS)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, a.attname, a.attstattarget FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE (c.relname = %s AND a.attname IN ('e164', 'search_text')) "
            "OR (c.relname = ANY(%s) AND a.attnum = 1)",
            [PhoneNumber._meta.db_table, list(POSTGRESQL_SEARCH_INDEXES)],
        )
        targets = {(relation, column): target for relation, column, target in cursor.fetchall()}

    assert len(POSTGRESQL_SEARCH_STATISTICS) == 3
    assert targets == {
        ("phone_numbers_phonenumber", "e164"): 1000,
        ("phone_numbers_phonenumber", "search_text"): 1000,
        # An index of a column reads the column's (above).
        ("pn_search_number_trgm", "e164"): -1,
        ("pn_search_text_trgm", "search_text"): -1,
        ("pn_search_agent_trgm", "upper"): 1000,
    }


@pytest.mark.parametrize(
    ("q", "number_searched"),
    [("zzzz", False), ("Parents", False), ("outreach line 99", False), ("415-208-2827", True)],
)
def test_the_search_reads_the_search_text_and_number_indexes(cast, q, number_searched) -> None:
    with connection.cursor() as cursor:
        # The unique index of unreleased numbers holds every number: on an empty table the
        # planner would read it whole for the number's part of the search. Gone for this test
        # (its transaction is rolled back), the number's trigram index is the only one left.
        cursor.execute("DROP INDEX one_unreleased_row_per_number")

    shown = plan(searched(cast, q=q))

    # Only digits (and "+") can be in a number: text does not read its index at all.
    assert ("pn_search_number_trgm" in shown) is number_searched
    assert "pn_search_text_trgm" in shown
    assert "Seq Scan" not in shown


def test_a_search_tests_each_row_with_one_like_and_no_upper(cast) -> None:
    """Walking the sort key's index, a common match is tested row by row: against the text
    kept upper-cased, with the search upper-cased once when the query is planned."""
    shown = plan(searched(cast, q="Outreach line 99"), walk=True)

    assert "(search_text ~~ '%OUTREACH LINE 99%'::text)" in shown
    assert "upper" not in shown.lower()


def test_the_search_indexes_keep_no_pending_list() -> None:
    """A pending list is read whole by every search (POSTGRESQL_SEARCH_INDEX_OPTIONS)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)",
            [list(POSTGRESQL_SEARCH_INDEXES)],
        )
        options = dict(cursor.fetchall())

    assert options == {name: ["fastupdate=off"] for name in POSTGRESQL_SEARCH_INDEXES}


@pytest.mark.parametrize(
    ("params", "index"),
    [
        ({"q": "zz"}, "pn_prefix_name"),
        ({"q": "z"}, "pn_prefix_name"),
        ({"q": "41"}, "pn_prefix_number"),
        ({"agent": "da"}, "pn_prefix_agent"),
    ],
)
def test_a_search_of_one_or_two_characters_reads_a_prefix_index(cast, params, index) -> None:
    """No trigram in two characters: the start of the text, which a B-tree serves."""
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX one_unreleased_row_per_number")
        # Left alone, the trigram index can serve an anchored pattern too, less exactly.
        for name in POSTGRESQL_SEARCH_INDEXES:
            cursor.execute(f"DROP INDEX {name}")

    shown = plan(searched(cast, **params))

    assert index in shown
    assert "Seq Scan" not in shown


def test_every_declared_prefix_index_is_in_place() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
            [PhoneNumber._meta.db_table],
        )
        present = dict(cursor.fetchall())

    for name in POSTGRESQL_PREFIX_INDEXES:
        assert "text_pattern_ops" in present.get(name, ""), name


def test_the_agent_filter_reads_its_index(cast) -> None:
    shown = plan(searched(cast, agent="nobody"))

    assert "pn_search_agent_trgm" in shown
    assert "Seq Scan" not in shown
