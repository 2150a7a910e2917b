"""Password-reset e-mails asked for are limited per e-mail address and per client address
(django-ratelimit, counting in the shared cache: settings ``CACHES``), so that the page
cannot be used to flood someone's mailbox or to send mail at scale. Past either limit the
request is refused with status 429 and no e-mail goes out. Every request counts, whether or
not the address has an account, so the limit tells no one which addresses do. While the
counts cannot be read (the cache's server is down) requests are refused with 503: an
uncounted page would be the flood this prevents."""

import logging
from dataclasses import dataclass
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

logger = logging.getLogger(__name__)

GROUP = "accounts.password_reset"


@dataclass(frozen=True)
class Refusal:
    status: HTTPStatus
    message: str


LIMITED = Refusal(
    HTTPStatus.TOO_MANY_REQUESTS,
    "Too many password reset requests for this e-mail address or from your network. "
    "Try again in an hour.",
)
UNAVAILABLE = Refusal(
    HTTPStatus.SERVICE_UNAVAILABLE,
    "Password resets are unavailable for a moment. Try again in a few minutes.",
)


def _email_key(group: str, request: HttpRequest) -> str:
    return str(request.POST.get("email") or "").strip().lower()


def _limited(request: HttpRequest) -> bool:
    per_address = is_ratelimited(
        request, group=GROUP, key="ip", rate=settings.RESET_REQUESTS_PER_ADDRESS, increment=True
    )
    per_email = bool(_email_key(GROUP, request)) and is_ratelimited(
        request,
        group=GROUP,
        key=_email_key,
        rate=settings.RESET_REQUESTS_PER_EMAIL,
        increment=True,
    )
    return per_address or per_email


def reset_request_refusal(request: HttpRequest) -> Refusal | None:
    """Counts this request; why it is refused, or None where it may go on."""
    try:
        return LIMITED if _limited(request) else None
    except Exception:  # the cache's server: redis's errors, a full disk, …
        logger.exception("Could not count a password-reset request; refused")
        return UNAVAILABLE
