"""The inboxes, office and usage sorts read keys the database keeps on the number (inbox_names,
office_name, in_use): every row once, in the order of the live inboxes, offices and campaigns,
both ways, at a fixed query count; and the keys follow every change, stale saves and a rename
racing a move included. (How campaigns keep in_use: campaigns/tests/test_number_in_use.py.)"""

from typing import Any

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Coalesce, Lower
from django.test.utils import CaptureQueriesContext

from inboxes.services import inbox_update
from inboxes.tests.factories import InboxFactory
from offices.models import Office
from offices.tests.factories import OfficeFactory
from phone_numbers.filters import inbox_names
from phone_numbers.models import Kind, PhoneNumber
from phone_numbers.selectors import phone_number_list
from phone_numbers.tests.factories import PhoneNumberFactory, ReusableNumberFactory, campaign_on
from tests.interleave import interleave

LIST = "/numbers/"


@pytest.fixture
def spread(cast) -> None:
    """130 numbers: no office, and three offices (one named to sort between the others), with
    no inbox, one or several (names in mixed case); one in six is used by an active campaign,
    and one in seven by a draft (which is not a use)."""
    offices = [
        None,
        cast.office_a,
        cast.office_b,
        OfficeFactory.create(organization=cast.org, name="Athletics"),
    ]
    inboxes = {
        office: [InboxFactory.create(office=office, name=n) for n in ("Main", "apply", "Visits")]
        for office in offices[1:]
    }
    for i in range(130):
        office = offices[i % 4]
        if office is None:
            number = PhoneNumberFactory.create(organization=cast.org, kind=Kind.DEDICATED)
        else:
            choice = [[], [0], [1], [0, 2], [2, 1, 0]][i % 5]
            number = ReusableNumberFactory.create(
                office=office, inboxes=[inboxes[office][n] for n in choice]
            )
        if i % 6 == 0:
            campaign_on(number, name=f"Campaign {i}")
        elif i % 7 == 0:
            campaign_on(number, name=f"Draft {i}", status="draft")


def live_order(cast, ordering: str) -> list[int]:
    """The list's order worked out from the offices and campaigns themselves, not from the kept
    columns."""
    campaigns = PhoneNumber._meta.get_field("campaigns").related_model
    live = {
        "inboxes": Lower(inbox_names(", ")),
        "office": Lower(Coalesce("office__name", Value(""))),
        "usage": Exists(
            campaigns._default_manager.filter(
                phone_number=OuterRef("pk"), status__in=["launching", "active"]
            )
        ),
    }[ordering.removeprefix("-")]
    numbers = PhoneNumber.objects.filter(organization=cast.org).annotate(live=live)
    order = ("-live", "-id") if ordering.startswith("-") else ("live", "id")
    return list(numbers.order_by(*order).values_list("pk", flat=True))


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


@pytest.mark.django_db
@pytest.mark.parametrize(
    "ordering", ["inboxes", "-inboxes", "office", "-office", "usage", "-usage"]
)
def test_pages_sorted_by_a_kept_key_visit_every_row_once_in_order_both_ways(
    cast, spread, ordering
) -> None:
    client = cast.client("alice")

    pages, last = walk(client, ordering)

    assert [len(p) for p in pages] == [50, 50, 30]
    assert [pk for p in pages for pk in p] == live_order(cast, ordering)
    previous = client.get(LIST, {"o": ordering, "cursor": last.previous_cursor}).context["page"]
    assert [n.pk for n in previous.rows] == pages[1]
    first = client.get(LIST, {"o": ordering, "cursor": previous.previous_cursor}).context["page"]
    assert [n.pk for n in first.rows] == pages[0]
    assert first.previous_cursor is None


@pytest.mark.django_db
def test_the_office_sort_follows_the_names_and_puts_no_office_first(cast, spread) -> None:
    pages, _ = walk(cast.client("alice"), "office")
    by_pk = dict(PhoneNumber.objects.values_list("pk", "office__name"))
    names = [by_pk[pk] for page in pages for pk in page]

    assert len(names) == 130
    assert names[0] is None
    assert [n for n in names if n] == sorted(n for n in names if n)
    assert names.index("Admissions") < names.index("Athletics") < names.index("Financial Aid")


@pytest.mark.django_db
def test_the_usage_column_says_in_use_only_for_a_launching_or_active_campaign(cast) -> None:
    active = PhoneNumberFactory.create(organization=cast.org)
    campaign_on(active, name="Fall yield")
    launching = PhoneNumberFactory.create(organization=cast.org)
    campaign_on(launching, name="Spring", status="launching")
    drafted = PhoneNumberFactory.create(organization=cast.org)
    campaign_on(drafted, name="Someday", status="draft")
    archived = PhoneNumberFactory.create(organization=cast.org)
    campaign_on(archived, name="Last year", status="archived")

    response = cast.client("alice").get(LIST, {"o": "-usage"})

    rows = response.context["page"].rows
    assert [n.pk for n in rows[:2]] == [launching.pk, active.pk]
    assert {n.pk: n.in_use for n in rows} == {
        active.pk: True,
        launching.pk: True,
        drafted.pk: False,
        archived.pk: False,
    }
    assert response.content.decode().count(">In Use</span>") == 2


@pytest.mark.django_db
@pytest.mark.parametrize("ordering", ["-inboxes", "office", "-usage"])
def test_a_page_sorted_by_a_kept_key_costs_the_same_queries_however_many_rows(
    cast, ordering, django_assert_max_num_queries
) -> None:
    inbox = InboxFactory.create(office=cast.office_b, name="Main")
    campaign_on(ReusableNumberFactory.create(office=cast.office_a))
    cast.client("alice").get(LIST)  # signs in
    with django_assert_max_num_queries(6) as few:
        cast.client("alice").get(LIST, {"o": ordering})
    for n in range(60):
        number = ReusableNumberFactory.create(office=cast.office_b, inboxes=[inbox])
        if n % 5 == 0:
            campaign_on(number)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = cast.client("alice").get(LIST, {"o": ordering})
    assert len(response.context["page"].rows) == 50


@pytest.mark.django_db
def test_a_member_walking_the_office_sort_sees_only_their_rows(cast, spread) -> None:
    pages, _ = walk(cast.client("bob"), "-office")
    seen = {pk for page in pages for pk in page}
    visible = set(
        phone_number_list(
            organization=cast.org, membership=cast.bob.memberships.get(), params={}
        ).values_list("pk", flat=True)
    )

    assert seen == visible
    assert not PhoneNumber.objects.filter(pk__in=seen, office=cast.office_b).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ordering", "key"),
    [
        ("inboxes", 'LOWER("phone_numbers_phonenumber"."inbox_names")'),
        ("-office", 'LOWER("phone_numbers_phonenumber"."office_name")'),
        ("usage", '"phone_numbers_phonenumber"."in_use"'),
    ],
)
def test_a_page_orders_and_compares_by_the_kept_column(cast, spread, ordering, key) -> None:
    """One keyset query, ordered and compared by the key that the (organization, key, id)
    index holds: no join, no lookup per row."""
    client = cast.client("alice")
    cursor = client.get(LIST, {"o": ordering}).context["page"].next_cursor
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST, {"o": ordering, "cursor": cursor}).status_code == 200
    pages = [q["sql"] for q in queries.captured_queries if "LIMIT 51" in q["sql"]]

    assert len(pages) == 1
    assert f'{key} AS "sort_{ordering.lstrip("-")}"' in pages[0]
    assert f'({key}, "phone_numbers_phonenumber"."id") ' in pages[0]
    assert " JOIN " not in pages[0]
    assert "(SELECT" not in pages[0]


@pytest.mark.django_db
def test_the_inbox_key_follows_inbox_changes_renames_and_stale_saves(cast) -> None:
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


def office_key(number: PhoneNumber) -> str:
    return PhoneNumber.objects.get(pk=number.pk).office_name


@pytest.mark.django_db
def test_the_office_key_follows_moves_renames_and_stale_saves(cast) -> None:
    number = ReusableNumberFactory.create(office=cast.office_a)
    dedicated = PhoneNumberFactory.create(organization=cast.org)
    stale = PhoneNumber.objects.get(pk=number.pk)
    assert (office_key(number), office_key(dedicated)) == ("Admissions", "")

    Office.objects.filter(pk=cast.office_a.pk).update(name="Undergraduate Admissions")
    assert office_key(number) == "Undergraduate Admissions"

    stale.name = "Front desk"
    stale.save()  # loaded before the rename: writes the old name back with the same office
    assert office_key(number) == "Undergraduate Admissions"

    PhoneNumber.objects.filter(pk=number.pk).update(office=cast.office_b)
    assert office_key(number) == "Financial Aid"
    assert office_key(dedicated) == ""


@pytest.mark.django_db(transaction=True)
def test_an_office_renamed_while_a_number_moves_into_it_gives_the_number_the_new_name(
    cast,
) -> None:
    number = ReusableNumberFactory.create(office=cast.office_a)

    interleave(
        lambda: Office.objects.filter(pk=cast.office_b.pk).update(name="Student Aid"),
        lambda: PhoneNumber.objects.filter(pk=number.pk).update(office=cast.office_b),
    )

    assert office_key(number) == "Student Aid"
    assert not PhoneNumber.objects.exclude(
        Q(office__isnull=True, office_name="") | Q(office_name=Coalesce("office__name", Value("")))
    ).exists()
