"""Failed sign-ins are limited per account and per address (accounts/limits.py)."""

from datetime import timedelta

import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

RIGHT = "correct-horse-battery"
LOCKED = "Too many failed sign-ins for this account or from this address."


def _sign_in(email: str, password: str, *, address: str = "203.0.113.7") -> tuple[int, str, bool]:
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("accounts:login"), {"username": email, "password": password})
    return response.status_code, response.content.decode(), "_auth_user_id" in client.session


def _five_wrong(email: str, *, address: str = "203.0.113.7") -> None:
    for _ in range(5):
        _sign_in(email, "wrong-guess", address=address)


def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_refused(cast) -> None:
    for _ in range(4):
        assert _sign_in("alice@acme.test", "wrong-guess")[0] == 200
    _sign_in("alice@acme.test", "wrong-guess")

    status, page, signed_in = _sign_in("alice@acme.test", RIGHT)

    assert status == 429
    assert f"{LOCKED} Try again in 15 minutes." in page
    assert 'name="username"' in page  # the sign-in page itself, with the message beside the form
    assert not signed_in


def test_the_address_is_locked_for_another_account_too(cast) -> None:
    _five_wrong("alice@acme.test")

    status, page, signed_in = _sign_in("bob@acme.test", RIGHT)

    assert (status, signed_in) == (429, False)
    assert LOCKED in page
    # From another address bob signs in.
    assert _sign_in("bob@acme.test", RIGHT, address="198.51.100.9")[2]


def test_the_account_is_locked_from_every_address_however_its_address_is_typed(cast) -> None:
    for n in range(5):
        _sign_in("  Alice@ACME.test", "wrong-guess", address=f"198.51.100.{n}")

    status, _, signed_in = _sign_in("alice@acme.test", RIGHT, address="192.0.2.50")

    assert (status, signed_in) == (429, False)


def test_the_lockout_ends_after_the_cool_off(cast) -> None:
    _five_wrong("alice@acme.test")
    assert _sign_in("alice@acme.test", RIGHT)[0] == 429

    with time_machine.travel(timezone.now() + timedelta(minutes=14)):
        assert _sign_in("alice@acme.test", RIGHT)[0] == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=30)):
        status, _, signed_in = _sign_in("alice@acme.test", RIGHT)

    assert (status, signed_in) == (302, True)


def test_an_operator_lifts_every_lockout_with_axes_reset(cast) -> None:
    _five_wrong("alice@acme.test")

    call_command("axes_reset", stdout=None)

    assert _sign_in("alice@acme.test", RIGHT)[2]


def test_a_right_password_before_the_limit_starts_the_count_again(cast) -> None:
    for _ in range(4):
        _sign_in("alice@acme.test", "wrong-guess")
    assert _sign_in("alice@acme.test", RIGHT)[2]
    for _ in range(4):
        _sign_in("alice@acme.test", "wrong-guess")

    assert _sign_in("alice@acme.test", RIGHT)[2]


def _set_password_url(user, token: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})


def test_guessed_set_password_links_lock_the_address_and_the_account(cast) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(4):
        page = client.get(_set_password_url(cast.bob, f"guess-{n}"))
        assert "This link has already been used or has expired." in page.content.decode()
    assert client.get(_set_password_url(cast.bob, "guess-5")).status_code == 429

    good_link = client.get(
        _set_password_url(cast.bob, default_token_generator.make_token(cast.bob))
    )

    assert good_link.status_code == 429
    assert LOCKED in good_link.content.decode()
    # bob's own sign-in is locked too, wherever he signs in from.
    assert _sign_in("bob@acme.test", RIGHT, address="198.51.100.9")[0] == 429


def test_the_test_clients_login_still_signs_in(cast) -> None:
    """Signing in without a page (``Client.login``, a shell) has no address to limit."""
    assert Client().login(email="alice@acme.test", password=RIGHT)


def test_following_a_good_set_password_link_is_no_failed_sign_in(cast) -> None:
    """A right link redirects to the form (its token kept in the session): invited people
    behind one address may each follow theirs without locking it."""
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(6):
        good = _set_password_url(cast.bob, default_token_generator.make_token(cast.bob))
        assert client.get(good).status_code == 302

    assert _sign_in("bob@acme.test", RIGHT)[2]
