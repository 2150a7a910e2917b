import pytest
from django.urls import reverse

from offices.models import IdkBehaviour, Office, Role


def test_admin_creates_an_office(cast) -> None:
    response = cast.client("alice").post(
        reverse("offices:create"),
        {"name": "Athletics", "number_quota": 4, "idk_default": IdkBehaviour.SILENT},
    )

    office = Office.objects.get(organization=cast.org, name="Athletics")
    assert response.status_code == 302
    assert response["Location"] == reverse("offices:detail", kwargs={"pk": office.pk})
    assert (office.number_quota, office.idk_default) == (4, IdkBehaviour.SILENT)


def test_an_office_name_is_unique_within_the_organization(cast) -> None:
    response = cast.client("alice").post(
        reverse("offices:create"),
        {"name": "admissions", "number_quota": 4, "idk_default": IdkBehaviour.REPLY},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "Your organization already has an office with this name."
    ]
    assert Office.objects.filter(organization=cast.org).count() == 2


def test_the_same_office_name_is_free_in_another_organization(cast) -> None:
    response = cast.client("charlie").post(
        reverse("offices:create"),
        {"name": "Admissions", "number_quota": 2, "idk_default": IdkBehaviour.REPLY},
    )

    assert response.status_code == 302
    assert Office.objects.filter(organization=cast.other_org, name="Admissions").exists()


def test_a_negative_quota_is_refused_beside_the_field(cast) -> None:
    response = cast.client("alice").post(
        reverse("offices:edit", kwargs={"pk": cast.office_a.pk}),
        {"name": "Admissions", "number_quota": -1, "idk_default": IdkBehaviour.REPLY},
    )

    assert response.status_code == 200
    assert "number_quota" in response.context["form"].errors
    cast.office_a.refresh_from_db()
    assert cast.office_a.number_quota == 5


def test_a_member_sees_only_their_offices(cast) -> None:
    response = cast.client("bob").get(reverse("offices:list"))

    assert [o.name for o in response.context["offices"]] == ["Admissions"]


def test_an_admin_sees_every_office(cast) -> None:
    response = cast.client("alice").get(reverse("offices:list"))

    assert [o.name for o in response.context["offices"]] == ["Admissions", "Financial Aid"]


@pytest.mark.django_db
def test_inviting_a_member_creates_the_account_and_mails_a_password_link(cast, smtp_server):
    from notifications.services import outbox_deliver

    response = cast.client("alice").post(
        reverse("offices:invite"),
        {"email": "New.Person@Acme.test", "role": Role.MEMBER, "offices": [cast.office_b.pk]},
    )

    assert response.status_code == 302
    membership = cast.org.memberships.get(user__email="new.person@acme.test")
    assert list(membership.offices.all()) == [cast.office_b]
    assert not membership.user.has_usable_password()
    from notifications.models import OutboxEmail

    email = OutboxEmail.objects.get(recipient="new.person@acme.test")
    outbox_deliver(outbox_id=email.pk)
    [message] = smtp_server.to("new.person@acme.test")
    assert "invited you to Acme College" in message["Subject"]
    assert "/accounts/set-password/" in message.get_payload()[0].get_payload()


def test_an_office_member_must_be_given_an_office(cast) -> None:
    response = cast.client("alice").post(
        reverse("offices:invite"), {"email": "x@acme.test", "role": Role.MEMBER}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["offices"] == [
        "Choose at least one office for an office member."
    ]


@pytest.mark.django_db
def test_a_person_of_another_organization_is_added_without_a_word_about_it(cast, smtp_server):
    """The answer is the same as for anyone: nothing tells alice that charlie is elsewhere.
    charlie keeps his password and his other organization, and is told he was added."""
    from notifications.models import OutboxEmail
    from notifications.services import outbox_deliver

    charlie_password = cast.charlie.password
    response = cast.client("alice").post(
        reverse("offices:invite"), {"email": "charlie@other.test", "role": Role.SENDER}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("offices:members")
    body = response.content.decode()
    assert "Invitation sent to charlie@other.test." in body
    assert "Other Org" not in body
    assert "another organization" not in body
    assert set(cast.charlie.memberships.values_list("organization__name", "role")) == {
        ("Other Org", Role.ADMIN),
        ("Acme College", Role.SENDER),
    }
    cast.charlie.refresh_from_db()
    assert cast.charlie.password == charlie_password
    outbox_deliver(outbox_id=OutboxEmail.objects.get(recipient="charlie@other.test").pk)
    [message] = smtp_server.to("charlie@other.test")
    assert "added you to Acme College" in message["Subject"]
    text = message.get_payload()[0].get_payload()
    assert "/accounts/login/" in text
    assert "/accounts/set-password/" not in text


def test_an_invite_answers_the_same_for_a_new_person_and_another_organizations_person(cast):
    from django.contrib.messages import get_messages
    from django.test import Client

    def invite(email: str) -> tuple[int, str, list[str]]:
        client = Client()
        client.force_login(cast.alice)
        response = client.post(reverse("offices:invite"), {"email": email, "role": Role.SENDER})
        said = [str(m).replace(email, "EMAIL") for m in get_messages(response.wsgi_request)]
        return response.status_code, response["Location"], said

    assert invite("charlie@other.test") == invite("nobody.yet@acme.test")


def test_an_office_of_another_organization_cannot_be_given(cast) -> None:
    from offices.tests.factories import OfficeFactory

    foreign = OfficeFactory.create(organization=cast.other_org)
    response = cast.client("alice").post(
        reverse("offices:invite"),
        {"email": "y@acme.test", "role": Role.MEMBER, "offices": [foreign.pk]},
    )

    assert response.status_code == 200
    assert "offices" in response.context["form"].errors
