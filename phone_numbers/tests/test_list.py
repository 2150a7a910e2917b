"""The Phone Numbers list: visibility, filters, search, sorting, keyset pages, bad queries."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inboxes.tests.factories import InboxFactory
from phone_numbers.filters import PhoneNumberFilter
from phone_numbers.models import Kind, PhoneNumber, ProvisioningStatus, ResponseType
from phone_numbers.selectors import PhoneNumberQueryError, phone_number_filter, phone_number_list
from phone_numbers.tests.factories import PhoneNumberFactory, ReusableNumberFactory, campaign_on

LIST = reverse("phone_numbers:list")


def listed(cast, who: str = "alice", **params) -> list[str]:
    response = cast.client(who).get(LIST, params)
    assert response.status_code == 200, response.content.decode()[:500]
    return [number.e164 for number in response.context["page"].rows]


def selected(cast, who: str = "alice", **params) -> list[str | None]:
    membership = getattr(cast, who).memberships.get()
    numbers = phone_number_list(organization=cast.org, membership=membership, params=params)
    return [number.e164 for number in numbers]


@pytest.fixture
def mix(cast):
    """Acme: a dedicated and a single-use number, a reusable number in each office."""
    return {
        "dedicated": PhoneNumberFactory.create(organization=cast.org, e164="+16175550001"),
        "single_use": PhoneNumberFactory.create(
            organization=cast.org, e164="+16175550002", kind=Kind.SINGLE_USE
        ),
        "office_a": ReusableNumberFactory.create(office=cast.office_a, e164="+16175550003"),
        "office_b": ReusableNumberFactory.create(office=cast.office_b, e164="+16175550004"),
        "other_org": PhoneNumberFactory.create(organization=cast.other_org, e164="+16175550005"),
    }


def test_an_admin_sees_every_number_of_the_organization_and_nothing_else(cast, mix) -> None:
    assert sorted(listed(cast)) == ["+16175550001", "+16175550002", "+16175550003", "+16175550004"]


def test_an_office_member_sees_only_their_offices_reusable_numbers(cast, mix) -> None:
    assert sorted(listed(cast, "bob")) == ["+16175550001", "+16175550002", "+16175550003"]
    # Even asking for office B by id does not show its numbers: the choice is refused.
    response = cast.client("bob").get(LIST, {"office": cast.office_b.pk})
    assert response.status_code == 400
    assert "+16175550004" not in response.content.decode()
    assert "Select a valid choice" in response.content.decode()


def test_the_selector_never_returns_another_organizations_rows(cast, mix) -> None:
    charlie = cast.charlie.memberships.get()
    numbers = phone_number_list(organization=cast.other_org, membership=charlie, params={})
    assert [n.e164 for n in numbers] == ["+16175550005"]
    with pytest.raises(PhoneNumberQueryError, match="office"):
        phone_number_list(
            organization=cast.other_org, membership=charlie, params={"office": cast.office_a.pk}
        )
    assert "+16175550005" not in listed(cast)


def test_released_numbers_are_hidden_unless_asked_for(cast, mix) -> None:
    mix["dedicated"].provisioning_status = ProvisioningStatus.RELEASED
    mix["dedicated"].save()
    assert "+16175550001" not in listed(cast)
    assert listed(cast, status="released") == ["+16175550001"]


def test_filters_by_kind_status_office_agent_and_response_type(cast, mix) -> None:
    PhoneNumber.objects.filter(pk=mix["office_a"].pk).update(
        agent="Dana Diaz", response_type=ResponseType.BOT
    )
    PhoneNumber.objects.filter(pk=mix["single_use"].pk).update(
        provisioning_status=ProvisioningStatus.INITIATED
    )
    assert listed(cast, kind="single_use") == ["+16175550002"]
    assert listed(cast, status="initiated") == ["+16175550002"]
    assert listed(cast, office=cast.office_b.pk) == ["+16175550004"]
    assert listed(cast, agent="dana") == ["+16175550003"]
    assert listed(cast, response_type="bot") == ["+16175550003"]
    assert sorted(listed(cast, kind="reusable", response_type="agent")) == ["+16175550004"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("70555", ["+16170555001", "+16170555000"]),
        ("fafsa", ["+16175550002"]),
        ("PARENT", ["+16175550001"]),
    ],
)
def test_search_covers_number_name_and_description(cast, q, expected) -> None:
    PhoneNumberFactory.create(organization=cast.org, e164="+16175550001", name="Parents line")
    PhoneNumberFactory.create(organization=cast.org, e164="+16175550002", description="FAFSA night")
    ReusableNumberFactory.create(office=cast.office_a, e164="+16170555000")
    ReusableNumberFactory.create(office=cast.office_a, e164="+16170555001")
    found = listed(cast, q=q)
    assert found == expected
    assert selected(cast, q=q) == expected


@pytest.mark.parametrize("q", ["(617) 055-5001", "617.055.5001", "+1 617 055 5001", "055-5001"])
def test_a_number_is_found_as_people_type_it(cast, q) -> None:
    ReusableNumberFactory.create(office=cast.office_a, e164="+16170555001")
    ReusableNumberFactory.create(office=cast.office_a, e164="+16170555000")

    assert listed(cast, q=q) == ["+16170555001"]
    assert selected(cast, q=q) == ["+16170555001"]


def test_one_or_two_characters_find_the_start_of_a_name_or_an_area_code(cast) -> None:
    PhoneNumberFactory.create(organization=cast.org, e164="+16175550001", name="Parents line")
    PhoneNumberFactory.create(organization=cast.org, e164="+14156170002", name="Compass")
    PhoneNumberFactory.create(organization=cast.org, e164="+12125550003", description="Trespass")

    # Anywhere from three characters on; only at the start below that.
    assert sorted(listed(cast, q="pas")) == ["+12125550003", "+14156170002"]
    assert listed(cast, q="pa") == ["+16175550001"]
    assert listed(cast, q="P") == ["+16175550001"]
    assert selected(cast, q="pa") == ["+16175550001"]
    # Digits: the area code's start, not digits anywhere in the number.
    assert listed(cast, q="61") == ["+16175550001"]
    assert listed(cast, q="617") == ["+14156170002", "+16175550001"]
    assert listed(cast, q="4") == ["+14156170002"]


def test_one_or_two_letters_of_an_agent_find_the_start_of_the_label(cast) -> None:
    PhoneNumberFactory.create(organization=cast.org, e164="+16175550001", agent="Dana Diaz")
    PhoneNumberFactory.create(organization=cast.org, e164="+16175550002", agent="Adam")

    assert listed(cast, agent="da") == ["+16175550001"]
    assert listed(cast, agent="dam") == ["+16175550002"]
    assert listed(cast, agent="a") == ["+16175550002"]


def test_each_list_query_filters_with_filters_of_its_own(cast) -> None:
    """Each filterset's filters are copies of the class's, one by one (FiltersCopiedOneByOne):
    the search and agent methods run on their own filterset, two at once never mix, and the
    class's filters are left as declared."""
    PhoneNumberFactory.create(organization=cast.org, e164="+16175550001", name="Parents line")
    PhoneNumberFactory.create(organization=cast.org, e164="+16175550002", agent="Dana Diaz")
    membership = cast.alice.memberships.get()

    def filterset(**params: str) -> PhoneNumberFilter:
        return phone_number_filter(organization=cast.org, membership=membership, params=params)

    parents, dana = filterset(q="parents"), filterset(agent="dana")
    for one in (parents, dana):
        assert all(filter_.parent is one for filter_ in one.filters.values())
        for name in ("q", "agent"):
            assert one.filters[name].filter.method.__self__ is one
    assert [number.e164 for number in dana.qs] == ["+16175550002"]
    assert [number.e164 for number in parents.qs] == ["+16175550001"]
    assert not hasattr(PhoneNumberFilter.base_filters["q"], "parent")
    assert PhoneNumberFilter.base_filters["q"].filter.f is PhoneNumberFilter.base_filters["q"]


def test_each_filter_form_offers_its_own_offices(cast) -> None:
    """The filter forms share the fields no request changes (FormFieldsCopiedWhereChanged); each
    has its own office field, with the offices of the person asking."""

    def form_of(who: str) -> Any:
        membership = getattr(cast, who).memberships.get()
        return phone_number_filter(
            organization=cast.org, membership=membership, params={"office": cast.office_b.pk}
        ).form

    alice, bob = form_of("alice"), form_of("bob")

    assert [name for _, name in alice.fields["office"].choices] == [
        "Any office",
        "Admissions",
        "Financial Aid",
    ]
    assert [name for _, name in bob.fields["office"].choices] == ["Any office", "Admissions"]
    assert alice.is_valid()
    assert "office" in bob.errors
    assert alice.fields["office"] is not bob.fields["office"]
    assert alice.fields["kind"] is bob.fields["kind"]
    assert list(type(bob).base_fields["office"].choices) == [("", "Any office")]


def test_the_search_box_says_what_short_searches_find(cast) -> None:
    html = cast.client("alice").get(LIST).content.decode()

    assert "one or two characters: the start of a name or area code" in html
    assert "one or two letters: its start" in html


@pytest.mark.parametrize(
    ("column", "values"),
    [
        ("name", ["beta", "Alpha", "alpha", "Beta"]),
        ("agent", ["Zoe", "@bob", "amy", "Max"]),
        ("description", ["b line", "A line", "c line", "B line"]),
    ],
)
def test_text_sorts_ignore_case(cast, column, values) -> None:
    for value in values:
        PhoneNumberFactory.create(organization=cast.org, **{column: value})

    with CaptureQueriesContext(connection) as queries:
        rows = cast.client("alice").get(LIST, {"o": column}).context["page"].rows
    shown = [getattr(n, column) for n in rows]
    page_sql = next(q["sql"] for q in queries.captured_queries if "LIMIT 51" in q["sql"])

    # Whatever the test database's collation: the key itself is lower-cased.
    assert f'LOWER("phone_numbers_phonenumber"."{column}") AS "sort_{column}"' in page_sql
    assert [v.lower() for v in shown] == sorted(v.lower() for v in values)


def _three(cast, column: str) -> list[PhoneNumber]:
    """Three numbers whose ``column`` ascends b < c < a when created a, b, c."""
    now = timezone.now()
    office_z = cast.office_b.__class__.objects.create(organization=cast.org, name="Zoology")
    by_column: dict[str, list[dict[str, Any]]] = {
        "number": [{"e164": "+19995550003"}, {"e164": "+19995550001"}, {"e164": "+19995550002"}],
        "name": [{"name": "Zed"}, {"name": "Alpha"}, {"name": "Mid"}],
        "description": [{"description": "z"}, {"description": "a"}, {"description": "m"}],
        "kind": [{"kind": Kind.SINGLE_USE}, {"kind": Kind.DEDICATED}, {"kind": Kind.REUSABLE}],
        "office": [{"office": office_z}, {"office": cast.office_a}, {"office": cast.office_b}],
        "agent": [{"agent": "Zoe"}, {"agent": "Amy"}, {"agent": "Max"}],
        "response_type": [
            {"response_type": "bot"},
            {"response_type": ""},
            {"response_type": "agent"},
        ],
        "inboxes": [{"inboxes": ["Zulu"]}, {"inboxes": []}, {"inboxes": ["Mike"]}],
        "status": [
            {"provisioning_status": "initiated"},
            {"provisioning_status": "complete"},
            {"provisioning_status": "failed"},
        ],
        "usage": [{"usage": True}, {"usage": False}, {"usage": True}],
        "created": [
            {"created_at": now},
            {"created_at": now - timedelta(days=2)},
            {"created_at": now - timedelta(days=1)},
        ],
    }
    values = by_column[column]
    numbers = []
    for attrs in values:
        attrs = dict(attrs)
        inbox_names = attrs.pop("inboxes", [])
        used = attrs.pop("usage", False)
        created_at = attrs.pop("created_at", None)
        kind = attrs.pop("kind", Kind.REUSABLE)
        office = attrs.pop("office", cast.office_a)
        number = ReusableNumberFactory.create(office=office, kind=Kind.REUSABLE, **attrs)
        PhoneNumber.objects.filter(pk=number.pk).update(
            kind=kind,
            office=office if kind == Kind.REUSABLE else None,
            response_type=number.response_type if kind == Kind.REUSABLE else "",
        )
        if created_at:
            PhoneNumber.objects.filter(pk=number.pk).update(created_at=created_at)
        number.inboxes.set([InboxFactory.create(office=cast.office_a, name=n) for n in inbox_names])
        if used:
            campaign_on(number, name=f"Campaign {number.pk}")
        numbers.append(number)
    return numbers


@pytest.mark.parametrize(
    "column",
    [
        "number",
        "name",
        "description",
        "kind",
        "office",
        "agent",
        "response_type",
        "inboxes",
        "status",
        "usage",
        "created",
    ],
)
def test_every_column_sorts_both_ways(cast, column) -> None:
    a, b, c = _three(cast, column)
    ascending = [n.e164 for n in (b, c, a)] if column != "usage" else [b.e164, a.e164, c.e164]
    assert listed(cast, o=column) == ascending
    descending = [n.e164 for n in (a, c, b)] if column != "usage" else [c.e164, a.e164, b.e164]
    assert listed(cast, o=f"-{column}") == descending


def test_the_default_order_is_newest_first_and_headers_toggle(cast, mix) -> None:
    response = cast.client("alice").get(LIST, {"o": "name"})
    html = response.content.decode()
    assert 'aria-sort="ascending"><a href="?o=-name"' in html
    assert 'href="?o=number"' in html
    assert listed(cast) == ["+16175550004", "+16175550003", "+16175550002", "+16175550001"]


@pytest.mark.parametrize("ordering", ["-created", "kind", "-name", "usage"])
def test_keyset_pages_walk_every_row_once_forwards_and_back(cast, ordering) -> None:
    for i in range(120):
        PhoneNumberFactory.create(
            organization=cast.org, name=f"N{i % 7}", kind=[Kind.DEDICATED, Kind.SINGLE_USE][i % 2]
        )
    client = cast.client("alice")
    pages, cursor = [], None
    while True:
        response = client.get(LIST, {"o": ordering, **({"cursor": cursor} if cursor else {})})
        page = response.context["page"]
        pages.append([n.pk for n in page.rows])
        cursor = page.next_cursor
        if not cursor:
            break
    assert [len(p) for p in pages] == [50, 50, 20]
    walked = [pk for p in pages for pk in p]
    assert walked == [n.pk for n in selected_numbers(cast, o=ordering)]
    previous = client.get(LIST, {"o": ordering, "cursor": page.previous_cursor}).context["page"]
    assert [n.pk for n in previous.rows] == pages[1]
    first = client.get(LIST, {"o": ordering, "cursor": previous.previous_cursor}).context["page"]
    assert [n.pk for n in first.rows] == pages[0]
    assert first.previous_cursor is None


def selected_numbers(cast, **params):
    return list(
        phone_number_list(
            organization=cast.org, membership=cast.alice.memberships.get(), params=params
        )
    )


def test_bad_query_params_get_a_clear_message_never_a_500(cast, mix) -> None:
    client = cast.client("alice")
    response = client.get(LIST, {"cursor": "not-a-cursor"})
    assert response.status_code == 400
    assert "This page link is not valid" in response.content.decode()
    assert len(response.context["page"].rows) == 4

    cursor = client.get(LIST, {"o": "name"}).context["page"].rows and _a_cursor(cast, "name")
    response = client.get(LIST, {"o": "kind", "cursor": cursor})
    assert response.status_code == 400
    assert "belongs to another sort order" in response.content.decode()

    response = client.get(LIST, {"o": "secret_column"})
    assert response.status_code == 400
    assert "That sort order is not one we know" in response.content.decode()

    response = client.get(LIST, {"kind": "premium", "q": "16175550004"})
    assert response.status_code == 400
    assert 'id="id_kind_error"' in response.content.decode()
    assert [n.e164 for n in response.context["page"].rows] == ["+16175550004"]

    response = client.get(LIST, {"q": "abc\x00"})
    assert response.status_code == 400
    assert '<ul class="errorlist" id="id_q_error"><li>Null characters are not allowed.' in (
        response.content.decode()
    )


def _a_cursor(cast, ordering: str) -> str:
    for i in range(60):
        PhoneNumberFactory.create(organization=cast.org, e164=f"+1212555{i:04d}")
    return cast.client("alice").get(LIST, {"o": ordering}).context["page"].next_cursor


def test_a_number_not_bought_yet_and_one_given_back_say_so(cast) -> None:
    PhoneNumberFactory.create(organization=cast.org, e164=None, provisioning_status="requested")
    PhoneNumberFactory.create(organization=cast.org, e164=None, provisioning_status="failed")

    page = cast.client("alice").get(LIST).content.decode()

    assert page.count(">Not bought yet</a>") == 1
    assert page.count(">No number</a>") == 1


def test_an_empty_list_says_so(cast) -> None:
    html = cast.client("alice").get(LIST).content.decode()
    assert "No phone numbers yet." in html
    assert 'href="/numbers/new/"' in html
    html = cast.client("alice").get(LIST, {"q": "nothing"}).content.decode()
    assert "No phone numbers match these filters." in html


def test_usage_links_to_the_launching_or_active_campaign(cast, mix) -> None:
    campaign = campaign_on(mix["office_a"], status="launching", name="Fall yield")
    campaign_on(mix["dedicated"], status="archived", name="Old")
    html = cast.client("alice").get(LIST).content.decode()
    assert f'<a href="/campaigns/{campaign.pk}/">Fall yield</a>' in html
    assert html.count("In Use") == 1
    assert html.count(">Available<") == 3


def office_b_campaign_on(number: PhoneNumber, cast, name: str = "Office B secret"):
    campaign = campaign_on(number, name=name)
    number.campaigns.filter(pk=campaign.pk).update(office=cast.office_b)
    return campaign


def test_a_member_sees_another_offices_campaign_as_in_use_without_its_name(cast, mix) -> None:
    hidden = office_b_campaign_on(mix["dedicated"], cast)
    shown = campaign_on(mix["office_a"], name="Fall yield")

    html = cast.client("bob").get(LIST).content.decode()

    assert html.count("In Use") == 2
    assert "Office B secret" not in html
    assert f'href="/campaigns/{hidden.pk}/"' not in html
    assert f'<a href="/campaigns/{shown.pk}/">Fall yield</a>' in html
    assert "Office B secret" in cast.client("alice").get(LIST).content.decode()


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_the_query_count_does_not_grow_with_rows(cast, who, django_assert_max_num_queries) -> None:
    def build(n: int) -> None:
        for _ in range(n):
            number = ReusableNumberFactory.create(office=cast.office_a)
            number.inboxes.set([InboxFactory.create(office=cast.office_a)])
            campaign_on(number)
            office_b_campaign_on(PhoneNumberFactory.create(organization=cast.org), cast)

    build(2)
    cast.client(who)  # signs in
    # session, user, membership, office choices, the page, the campaigns of its numbers in use
    with django_assert_max_num_queries(6) as few:
        cast.client(who).get(LIST)
    build(60)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = cast.client(who).get(LIST, {"o": "inboxes"})
    assert len(response.context["page"].rows) == 50
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_failed_or_released_number_is_not_available_and_says_what_to_do(cast, mix) -> None:
    PhoneNumberFactory.create(
        organization=cast.org, e164=None, provisioning_status=ProvisioningStatus.FAILED
    )
    ReusableNumberFactory.create(
        office=cast.office_a, e164=None, provisioning_status=ProvisioningStatus.FAILED
    )
    PhoneNumberFactory.create(organization=cast.org, provisioning_status="released")

    html = cast.client("alice").get(LIST, {"status": ""}).content.decode()
    released = cast.client("alice").get(LIST, {"status": "released"}).content.decode()
    as_bob = cast.client("bob").get(LIST).content.decode()

    # The four numbers of the mix hold a number; the failed two do not.
    assert html.count(">Available<") == 4
    assert html.count(">Not in use<") == 2
    assert released.count(">Not in use<") == 1
    assert ">Available<" not in released
    assert html.count('href="/numbers/new/?number_type=dedicated">Add a new number<') == 1
    assert html.count('href="/numbers/new/?number_type=reusable">Add a new number<') == 1
    # An office member may add reusable numbers only.
    assert as_bob.count("Ask an admin for a new number") == 1
    assert as_bob.count('href="/numbers/new/?number_type=reusable">Add a new number<') == 1


def test_the_export_keeps_available_for_a_failed_number(cast) -> None:
    PhoneNumberFactory.create(
        organization=cast.org, e164="+16175550011", provisioning_status=ProvisioningStatus.FAILED
    )

    body = b"".join(cast.client("alice").get(reverse("phone_numbers:export")).streaming_content)

    [row] = [line for line in body.decode().splitlines() if line.startswith("+16175550011")]
    assert ",failed,available," in row


def test_numbers_read_as_people_write_them_and_add_sits_at_the_top(cast, mix) -> None:
    html = cast.client("alice").get(LIST).content.decode()

    assert ">(617) 555-0001</a>" in html
    assert ">+16175550001<" not in html
    head = html[html.index('<div class="page-head">') : html.index('<form method="get"')]
    assert '<a role="button" href="/numbers/new/">Add</a>' in head


def test_sortable_headers_show_which_column_sorts_and_which_could(cast, mix) -> None:
    html = cast.client("alice").get(LIST, {"o": "name"}).content.decode()

    assert 'aria-sort="ascending"><a href="?o=-name" data-sort="name">Name ▲</a>' in html
    assert html.count('<span class="sort-mark" aria-hidden="true"> ↕</span>') == 10
