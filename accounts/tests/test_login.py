from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from offices.tests.factories import UserFactory


def test_a_wrong_password_says_so_plainly(cast) -> None:
    response = cast.client("anonymous").post(
        reverse("accounts:login"), {"username": "alice@acme.test", "password": "nope"}
    )

    assert response.status_code == 200
    assert "Your e-mail or password is not right." in response.content.decode()


def test_signing_in_lands_on_the_campaigns(cast) -> None:
    response = cast.client("anonymous").post(
        reverse("accounts:login"),
        {"username": "alice@acme.test", "password": "correct-horse-battery"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("campaigns:active")


def test_an_invited_person_sets_a_password_with_the_link_and_signs_in(db, client) -> None:
    user = UserFactory.create(email="new@acme.test")
    user.set_unusable_password()
    user.save()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)

    page = client.get(
        reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token}),
        follow=True,
    )
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "a-long-new-passphrase", "new_password2": "a-long-new-passphrase"},
    )

    user.refresh_from_db()
    assert user.check_password("a-long-new-passphrase")


def test_healthz_answers_ok(db, client) -> None:
    response = client.get("/healthz")

    assert response.json() == {"status": "ok"}


def test_the_email_may_be_typed_in_any_case(cast) -> None:
    response = cast.client("anonymous").post(
        reverse("accounts:login"),
        {"username": "  Alice@ACME.test ", "password": "correct-horse-battery"},
    )

    assert response.status_code == 302
