"""Password-reset e-mails asked for are limited per e-mail address and per client address
(django-ratelimit, counting in the shared cache: settings ``CACHES``), so that the page
cannot be used to flood someone's mailbox or to send mail at scale. Past either limit the
request is refused with status 429 and no e-mail goes out. Every request counts, whether or
not the address has an account, so the limit tells no one which addresses do."""

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

GROUP = "accounts.password_reset"


def _email_key(group: str, request: HttpRequest) -> str:
    return str(request.POST.get("email") or "").strip().lower()


def reset_request_limited(request: HttpRequest) -> bool:
    """Counts this request and says whether it is past either limit."""
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


def reset_limit_message() -> str:
    return (
        "Too many password reset requests for this e-mail address or from your network. "
        "Try again in an hour."
    )
