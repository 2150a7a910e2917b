"""Forgot your password: a set-password link by e-mail (through the outbox), the same answer
for an address with or without an account, and a limit on requests (accounts/reset_limits.py)."""

import re
from datetime import timedelta

import redis
import time_machine
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboxEmail
from notifications.services import outbox_deliver

LIMITED = "Too many password reset requests for this e-mail address or from your network."
NEW_PASSWORD = "a-long-new-passphrase"


def _ask(email: str, *, address: str = "203.0.113.7") -> tuple[int, str, str]:
    """(status, where it redirects to, the page it ends on) for one reset request."""
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("accounts:password_reset"), {"email": email})
    location = response.get("Location", "")
    page = client.get(location) if location else response
    # Each visitor has a CSRF token of their own; the rest of the page is the answer.
    text = re.sub(r'(X-CSRFToken": "|value=")[^"]{64}"', r'\1…"', page.content.decode())
    return response.status_code, location, text


def _link_in(email: OutboxEmail) -> str:
    match = re.search(r"https?://\S+(/accounts/set-password/\S+/)", email.body_text)
    assert match, email.body_text
    return match.group(1)


def test_the_sign_in_page_links_to_the_reset_page(db, client) -> None:
    page = client.get(reverse("accounts:login")).content.decode()

    assert f'href="{reverse("accounts:password_reset")}">Forgot your password?' in page


def test_a_known_and_an_unknown_address_get_the_same_answer_and_one_e_mail(cast) -> None:
    known = _ask("  Bob@ACME.test ")
    unknown = _ask("nobody@acme.test")

    assert known == unknown
    status, location, page = known
    assert (status, location) == (302, reverse("accounts:password_reset_done"))
    assert "Check your e-mail" in page
    assert "works once, for 72 hours" in page
    [email] = OutboxEmail.objects.all()
    assert email.recipient == "bob@acme.test"
    assert email.subject == "Reset your Longcode password"


def test_the_worker_sends_the_e_mail_with_the_link(cast, smtp_server) -> None:
    _ask("bob@acme.test")

    email = OutboxEmail.objects.get()
    outbox_deliver(outbox_id=email.pk)

    [message] = smtp_server.to("bob@acme.test")
    text = message.get_payload()[0].get_payload(decode=True).decode()
    assert f"{django_settings.SITE_URL}{_link_in(email)}" in text


def test_the_link_sets_the_password_and_the_person_signs_in_with_it(cast) -> None:
    _ask("bob@acme.test")
    client = Client()

    form = client.get(_link_in(OutboxEmail.objects.get()), follow=True)
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    signed_in = client.post(
        reverse("accounts:login"), {"username": "bob@acme.test", "password": NEW_PASSWORD}
    )

    assert "Your password is set. Sign in with it." in done.content.decode()
    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"] == str(cast.bob.pk)


def test_the_link_works_once(cast) -> None:
    _ask("bob@acme.test")
    link = _link_in(OutboxEmail.objects.get())
    client = Client()
    form = client.get(link, follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    again = Client().get(link, follow=True).content.decode()

    assert "This link has already been used or has expired." in again


def test_the_link_expires_after_the_reset_timeout(cast) -> None:
    _ask("bob@acme.test")
    link = _link_in(OutboxEmail.objects.get())
    later = timezone.now() + timedelta(seconds=django_settings.PASSWORD_RESET_TIMEOUT + 60)

    with time_machine.travel(later):
        page = Client().get(link, follow=True).content.decode()

    assert "This link has already been used or has expired." in page


def test_an_invited_person_who_lost_the_invite_gets_a_link_too(cast) -> None:
    cast.bob.set_unusable_password()
    cast.bob.save(update_fields=["password"])

    _ask("bob@acme.test")

    assert OutboxEmail.objects.get().recipient == "bob@acme.test"


def test_a_deactivated_account_gets_no_e_mail_and_the_same_answer(cast) -> None:
    cast.bob.is_active = False
    cast.bob.save(update_fields=["is_active"])

    assert _ask("bob@acme.test") == _ask("nobody@acme.test")
    assert not OutboxEmail.objects.exists()


def test_a_malformed_address_is_refused_beside_the_field(db) -> None:
    status, location, page = _ask("not-an-address")

    assert (status, location) == (200, "")
    assert 'class="errorlist"' in page
    assert "Enter a valid email address." in page


def test_past_the_limit_for_one_e_mail_address_429_and_no_e_mail(cast) -> None:
    for n in range(3):
        assert _ask("bob@acme.test", address=f"198.51.100.{n}")[0] == 302

    status, _, page = _ask("Bob@acme.test", address="198.51.100.50")

    assert status == 429
    assert LIMITED in page
    assert 'name="email"' in page
    assert 'value="Bob@acme.test"' in page
    assert OutboxEmail.objects.count() == 3
    # Another address still gets its link.
    assert _ask("alice@acme.test", address="198.51.100.50")[0] == 302


def test_past_the_limit_for_one_client_address_429_and_no_e_mail(cast) -> None:
    for n in range(10):
        _ask(f"nobody{n}@acme.test")

    status, _, page = _ask("bob@acme.test")

    assert status == 429
    assert LIMITED in page
    assert not OutboxEmail.objects.exists()
    # From another client address bob gets his link.
    assert _ask("bob@acme.test", address="192.0.2.50")[0] == 302
    assert OutboxEmail.objects.get().recipient == "bob@acme.test"


def test_the_limit_lifts_after_the_hour(cast) -> None:
    for n in range(3):
        _ask("bob@acme.test", address=f"198.51.100.{n}")
    assert _ask("bob@acme.test", address="198.51.100.9")[0] == 429

    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert _ask("bob@acme.test", address="198.51.100.9")[0] == 302


def test_the_counts_are_in_redis_where_every_web_process_reads_them(cast) -> None:
    _ask("bob@acme.test")

    server = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    keys = list(server.scan_iter(f"longcode:*:{django_settings.RATELIMIT_CACHE_PREFIX}*"))

    assert len(keys) == 2  # one count per e-mail address, one per client address


def test_while_the_counts_cannot_be_read_a_request_is_refused_and_sends_nothing(
    cast, settings, caplog
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }

    status, _, page = _ask("bob@acme.test")

    assert status == 503
    assert "Password resets are unavailable for a moment. Try again in a few minutes." in page
    assert not OutboxEmail.objects.exists()
    assert "Could not count a password-reset request" in caplog.text
