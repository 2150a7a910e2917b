"""The WSGI application gunicorn serves (``config.wsgi:application``).

Carriers' webhooks (``/hooks/…``) are served by a handler of their own, with only the middleware
a machine's signed POST needs: the security middleware (HTTPS, HSTS) and the common one. The
people's middleware — static files, sessions, CSRF (the hooks are exempt: the carrier's
signature stands in for it), authentication, messages, the tenant, sign-in limits, htmx, frame
and content-security headers for pages — reads nothing a webhook carries and cost about a fifth
of an inbound delivery's CPU in the web process (README, Benchmarks). The URLs are the same."""

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

HOOKS_PREFIX = "/hooks/"
HOOK_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]


class CarrierHooksHandler(WSGIHandler):
    """Django's handler with HOOK_MIDDLEWARE for its middleware."""

    def load_middleware(self, is_async: bool = False) -> None:
        # Django builds the chain from settings.MIDDLEWARE, once, as the handler starts (before
        # any request is served): it reads ours instead.
        people = settings.MIDDLEWARE
        settings.MIDDLEWARE = HOOK_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = people


def with_carrier_hooks_apart(site: WSGIHandler) -> Callable[..., Iterable[bytes]]:
    """``site`` for every request but carriers' webhooks, which CarrierHooksHandler serves."""
    hooks = CarrierHooksHandler()

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(HOOKS_PREFIX):
            return hooks(environ, start_response)
        return site(environ, start_response)

    return application


application = with_carrier_hooks_apart(get_wsgi_application())
