"""The office and usage sorts page in segments: every row once, in the list's order, both ways."""

from typing import Any

import pytest

from offices.tests.factories import OfficeFactory
from phone_numbers.models import Kind
from phone_numbers.selectors import phone_number_list
from phone_numbers.tests.factories import PhoneNumberFactory, ReusableNumberFactory, campaign_on

pytestmark = pytest.mark.django_db
LIST = "/numbers/"


@pytest.fixture
def spread(cast) -> None:
    """130 numbers: no office, and three offices (one named to sort before the others); one
    in six is used by an active campaign."""
    offices = [
        None,
        cast.office_a,
        cast.office_b,
        OfficeFactory.create(organization=cast.org, name="Athletics"),
    ]
    for i in range(130):
        office = offices[i % 4]
        if office is None:
            number = PhoneNumberFactory.create(organization=cast.org, kind=Kind.DEDICATED)
        else:
            number = ReusableNumberFactory.create(office=office)
        if i % 6 == 0:
            campaign_on(number, name=f"Campaign {i}")


def walk(client, ordering: str) -> tuple[list[list[int]], Any]:
    pages, cursor = [], None
    while True:
        response = client.get(LIST, {"o": ordering, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200
        page = response.context["page"]
        pages.append([n.pk for n in page.rows])
        cursor = page.next_cursor
        if not cursor:
            return pages, page


@pytest.mark.parametrize("ordering", ["office", "-office", "usage", "-usage"])
def test_segmented_pages_visit_every_row_once_in_order_both_ways(cast, spread, ordering) -> None:
    client = cast.client("alice")
    expected = [
        n.pk
        for n in phone_number_list(
            organization=cast.org, membership=cast.alice.memberships.get(), params={"o": ordering}
        )
    ]

    pages, last = walk(client, ordering)

    assert [len(p) for p in pages] == [50, 50, 30]
    assert [pk for p in pages for pk in p] == expected
    previous = client.get(LIST, {"o": ordering, "cursor": last.previous_cursor}).context["page"]
    assert [n.pk for n in previous.rows] == pages[1]
    first = client.get(LIST, {"o": ordering, "cursor": previous.previous_cursor}).context["page"]
    assert [n.pk for n in first.rows] == pages[0]
    assert first.previous_cursor is None


def test_the_office_sort_follows_the_names_and_puts_no_office_first(cast, spread) -> None:
    pages, _ = walk(cast.client("alice"), "office")
    rows = [pk for page in pages for pk in page]
    names = list(
        phone_number_list(
            organization=cast.org, membership=cast.alice.memberships.get(), params={"o": "office"}
        ).values_list("office__name", flat=True)
    )
    assert len(rows) == 130
    assert names[0] is None
    assert [n for n in names if n] == sorted(n for n in names if n)
    assert names.index("Admissions") < names.index("Athletics") < names.index("Financial Aid")


def test_a_segmented_page_costs_the_same_queries_however_many_rows(
    cast, django_assert_max_num_queries
) -> None:
    ReusableNumberFactory.create(office=cast.office_a)
    cast.client("alice").get(LIST)  # signs in
    with django_assert_max_num_queries(8) as few:
        cast.client("alice").get(LIST, {"o": "office"})
    for _ in range(60):
        ReusableNumberFactory.create(office=cast.office_b)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = cast.client("alice").get(LIST, {"o": "office"})
    assert len(response.context["page"].rows) == 50


def test_an_office_filter_with_the_office_sort_and_a_member_see_only_their_rows(
    cast, spread
) -> None:
    pages, _ = walk(cast.client("bob"), "-office")
    seen = {pk for page in pages for pk in page}
    visible = set(
        phone_number_list(
            organization=cast.org, membership=cast.bob.memberships.get(), params={}
        ).values_list("pk", flat=True)
    )
    assert seen == visible
    assert not any(
        n.office_id == cast.office_b.pk
        for n in phone_number_list(
            organization=cast.org, membership=cast.bob.memberships.get(), params={"o": "office"}
        )
    )


def test_the_office_sorted_id_query_is_one_lean_query_read_in_index_order(cast, spread) -> None:
    """The page's ids come from one UNION of bare index ranges: no join to offices, no list
    annotations, each range ordered by (office, id) so the (organization, office, id) index
    serves it rather than the primary key."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = cast.client("alice")
    cursor = client.get(LIST, {"o": "-office"}).context["page"].next_cursor
    for params in ({"o": "office"}, {"o": "-office", "cursor": cursor}):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST, params).status_code == 200
        unions = [q["sql"] for q in queries.captured_queries if "UNION ALL" in q["sql"]]
        assert len(unions) == 1
        parts = unions[0].count("UNION ALL") + 1
        assert parts == (4 if "cursor" not in params else 3)  # no office, three offices
        assert "offices_office" not in unions[0]
        assert "inboxes_inbox" not in unions[0]
        assert "campaigns_campaign" not in unions[0]
        assert unions[0].count('ORDER BY "phone_numbers_phonenumber"."office_id"') == parts
        page_queries = [
            q for q in queries.captured_queries if "phone_numbers_phonenumber" in q["sql"]
        ]
        assert len(page_queries) == 2  # the ids, then the rows
