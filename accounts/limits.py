"""Failed sign-ins are limited per account and per address (django-axes, configured in
settings: ``AXES_*``). Any page that checks a secret someone types or follows — the sign-in
form, a set-password link, an invite link — counts its failures towards the same limit:

    @attempts_limited
    def my_view(request): ...
        if the secret is wrong:
            attempt_failed(request, username=the_email_or_empty)

A locked-out person or address gets the sign-in page with the lockout message and status 429
until the cool-off has passed (``manage.py axes_reset`` lifts every lockout at once)."""

from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from axes.models import AccessBase
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from accounts.forms import LoginForm

View = Callable[..., HttpResponseBase]


class SignInLimitBackend(AxesStandaloneBackend):
    """Refuses a locked-out account or address before any password is checked (first in
    AUTHENTICATION_BACKENDS). A sign-in through a page always comes with its request; one
    without (the test client's ``login``, a shell) has no address to count and goes on to the
    password check as before."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is not None:
            super().authenticate(request, username, password, **kwargs)


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        f"Too many failed sign-ins for this account or from this address. "
        f"Try again in {minutes} minutes."
    )


def sign_in_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account an attempt is for, as accounts are stored (lower case), so that typing
    ``Alice@Acme.test`` counts against alice@acme.test."""
    source = credentials if credentials else request.POST
    username = str(source.get("username") or "").strip().lower()
    return username or None


def lockout_parameters(
    request_or_attempt: HttpRequest | AccessBase, credentials: dict[str, Any] | None
) -> list[str]:
    """Count per account and per address, or per address alone when the attempt names no
    account (a guessed invite link, a refused sign-up): attempts without a name must not add
    up to one lockout of everyone who signs up or follows a link without an account."""
    if isinstance(request_or_attempt, AccessBase):
        username = request_or_attempt.username
    else:
        username = sign_in_username(request_or_attempt, credentials)
    return ["username", "ip_address"] if username else ["ip_address"]


def locked_out_response(
    request: HttpRequest, response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """The sign-in page with the lockout message, answered 429 (Too Many Requests)."""
    username = sign_in_username(request, credentials) or ""
    return render(
        request,
        "registration/login.html",
        {"form": LoginForm(initial={"username": username}), "locked_out": lockout_message()},
        status=HTTPStatus.TOO_MANY_REQUESTS,
    )


def attempt_failed(request: HttpRequest, *, username: str = "") -> None:
    """Counts a failure of a page other than the sign-in form (a wrong link, a wrong code)."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def attempts_limited(view: View) -> View:
    """Refuses a locked-out person or address before the view runs."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not AxesProxyHandler.is_allowed(request):
            return get_lockout_response(request, None, None)
        return view(request, *args, **kwargs)

    return wrapped
