from django.urls import reverse

from inboxes.models import Inbox
from inboxes.tests.factories import InboxFactory
from offices.tests.factories import OfficeFactory


def test_admin_creates_an_inbox_in_an_office(cast) -> None:
    response = cast.client("alice").post(
        reverse("inboxes:create"), {"office": cast.office_b.pk, "name": "FAFSA help"}
    )

    inbox = Inbox.objects.get(name="FAFSA help")
    assert response.status_code == 302
    assert (inbox.organization, inbox.office) == (cast.org, cast.office_b)


def test_an_inbox_cannot_be_put_in_another_organizations_office(cast) -> None:
    foreign = OfficeFactory.create(organization=cast.other_org)

    response = cast.client("alice").post(
        reverse("inboxes:create"), {"office": foreign.pk, "name": "Sneaky"}
    )

    assert response.status_code == 200
    assert "office" in response.context["form"].errors
    assert not Inbox.objects.filter(name="Sneaky").exists()


def test_an_inbox_name_is_unique_within_its_office(cast) -> None:
    InboxFactory.create(office=cast.office_a, organization=cast.org, name="Front desk")

    response = cast.client("alice").post(
        reverse("inboxes:create"), {"office": cast.office_a.pk, "name": "front desk"}
    )

    assert response.context["form"].errors["name"] == [
        "Admissions already has an inbox with this name."
    ]


def test_a_member_sees_only_the_inboxes_of_their_offices(cast) -> None:
    InboxFactory.create(office=cast.office_a, organization=cast.org, name="Mine")
    InboxFactory.create(office=cast.office_b, organization=cast.org, name="Not mine")

    response = cast.client("bob").get(reverse("inboxes:list"))

    assert [i.name for i in response.context["inboxes"]] == ["Mine"]


def test_the_inbox_list_makes_a_fixed_number_of_queries(cast, django_assert_max_num_queries):
    for n in range(30):
        InboxFactory.create(office=cast.office_a, organization=cast.org, name=f"Inbox {n}")
    client = cast.client("alice")

    with django_assert_max_num_queries(6):
        response = client.get(reverse("inboxes:list"))

    assert len(response.context["inboxes"]) == 30


def test_an_inbox_that_reusable_numbers_deliver_to_cannot_move_office(cast) -> None:
    from phone_numbers.tests.factories import ReusableNumberFactory

    inbox = InboxFactory.create(office=cast.office_a, organization=cast.org, name="Front desk")
    ReusableNumberFactory.create(office=cast.office_a, inboxes=[inbox])

    response = cast.client("alice").post(
        reverse("inboxes:edit", kwargs={"pk": inbox.pk}),
        {"office": cast.office_b.pk, "name": "Front desk"},
    )

    assert response.status_code == 200
    assert "remove it from them before moving it" in response.context["form"].errors["office"][0]
    inbox.refresh_from_db()
    assert inbox.office == cast.office_a


def test_an_inbox_without_numbers_can_move_office(cast) -> None:
    inbox = InboxFactory.create(office=cast.office_a, organization=cast.org, name="Front desk")

    cast.client("alice").post(
        reverse("inboxes:edit", kwargs={"pk": inbox.pk}),
        {"office": cast.office_b.pk, "name": "Front desk"},
    )

    inbox.refresh_from_db()
    assert inbox.office == cast.office_b
