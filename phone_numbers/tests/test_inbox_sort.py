"""The "inboxes" sort reads PhoneNumber.inbox_names, which the database keeps (migration 0004):
every row once, in the order of the live inbox names, both ways, at a fixed query count."""

from typing import Any

import pytest

from inboxes.services import inbox_update
from inboxes.tests.factories import InboxFactory
from phone_numbers.filters import inbox_names
from phone_numbers.models import Kind, PhoneNumber
from phone_numbers.tests.factories import PhoneNumberFactory, ReusableNumberFactory

pytestmark = pytest.mark.django_db
LIST = "/numbers/"


@pytest.fixture
def spread(cast) -> None:
    """130 numbers: dedicated ones (no inbox), and reusable ones of two offices with no inbox,
    one inbox or two; several share each key."""
    a = [InboxFactory.create(office=cast.office_a, name=n) for n in ("Main", "apply", "Visits")]
    b = [InboxFactory.create(office=cast.office_b, name=n) for n in ("Main", "Aid")]
    choices: list[list[Any]] = [[], [a[0]], [a[1]], [a[0], a[2]], [a[2], a[1], a[0]]]
    for i in range(130):
        if i % 3 == 0:
            PhoneNumberFactory.create(organization=cast.org, kind=Kind.DEDICATED)
        elif i % 3 == 1:
            ReusableNumberFactory.create(office=cast.office_a, inboxes=choices[i % 5])
        else:
            ReusableNumberFactory.create(office=cast.office_b, inboxes=[[], [b[0]], b][i % 3])


def live_order(cast, descending: bool) -> list[int]:
    """The list's order computed from the inboxes themselves, not from the kept column."""
    numbers = PhoneNumber.objects.filter(organization=cast.org).annotate(live=inbox_names(", "))
    if descending:
        return list(numbers.order_by("-live", "-id").values_list("pk", flat=True))
    return list(numbers.order_by("live", "id").values_list("pk", flat=True))


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


@pytest.mark.parametrize("ordering", ["inboxes", "-inboxes"])
def test_inbox_sorted_pages_visit_every_row_once_in_order_both_ways(cast, spread, ordering) -> None:
    client = cast.client("alice")

    pages, last = walk(client, ordering)

    assert [len(p) for p in pages] == [50, 50, 30]
    assert [pk for p in pages for pk in p] == live_order(cast, ordering.startswith("-"))
    previous = client.get(LIST, {"o": ordering, "cursor": last.previous_cursor}).context["page"]
    assert [n.pk for n in previous.rows] == pages[1]
    first = client.get(LIST, {"o": ordering, "cursor": previous.previous_cursor}).context["page"]
    assert [n.pk for n in first.rows] == pages[0]
    assert first.previous_cursor is None


def test_the_key_follows_inbox_changes_renames_and_stale_saves(cast) -> None:
    main = InboxFactory.create(office=cast.office_a, name="Main")
    aid = InboxFactory.create(office=cast.office_a, name="Aid")
    number = ReusableNumberFactory.create(office=cast.office_a)
    stale = PhoneNumber.objects.get(pk=number.pk)

    def key() -> str:
        return PhoneNumber.objects.get(pk=number.pk).inbox_names

    assert key() == ""
    number.inboxes.set([main, aid])
    assert key() == "Aid, Main"
    stale.name = "Saved by an instance loaded before the inboxes changed"
    stale.save()
    assert key() == "Aid, Main"
    inbox_update(inbox=aid, office=cast.office_a, name="Zoo", description="")
    assert key() == "Main, Zoo"
    number.inboxes.remove(main)
    assert key() == "Zoo"
    aid.delete()
    assert key() == ""
    # Every number's kept key is its live one.
    numbers = PhoneNumber.objects.annotate(live=inbox_names(", "))
    assert all(n.inbox_names == n.live for n in numbers)


def test_an_inbox_sorted_page_costs_the_same_queries_however_many_rows(
    cast, django_assert_max_num_queries
) -> None:
    inbox = InboxFactory.create(office=cast.office_b, name="Main")
    ReusableNumberFactory.create(office=cast.office_a)
    cast.client("alice").get(LIST)  # signs in
    with django_assert_max_num_queries(8) as few:
        cast.client("alice").get(LIST, {"o": "-inboxes"})
    for _ in range(60):
        ReusableNumberFactory.create(office=cast.office_b, inboxes=[inbox])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = cast.client("alice").get(LIST, {"o": "-inboxes"})
    assert len(response.context["page"].rows) == 50


def test_the_inbox_sorted_page_reads_the_kept_key_not_the_inboxes(cast, spread) -> None:
    """One keyset query: it orders and compares by the column the (organization, inbox_names,
    id) index holds; the inbox names are looked up only for the page's rows (the column)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = cast.client("alice")
    cursor = client.get(LIST, {"o": "inboxes"}).context["page"].next_cursor
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST, {"o": "inboxes", "cursor": cursor}).status_code == 200
    pages = [q["sql"] for q in queries.captured_queries if "LIMIT 51" in q["sql"]]
    assert len(pages) == 1
    assert '"phone_numbers_phonenumber"."inbox_names" AS "sort_inboxes"' in pages[0]
    assert (
        '("phone_numbers_phonenumber"."inbox_names", "phone_numbers_phonenumber"."id") >'
        in (pages[0])
    )
