"""The app's URLs plus the empty views the HTTP benchmarks measure pages and webhooks against,
served by the same gunicorn (benchmarks only; never in config.urls):

- ``bench/empty/``: an empty POST view (the inbound webhook's baseline);
- ``hooks/bench-empty/``: the same view where carriers' webhooks are served, through their own
  lighter middleware (config/wsgi.py);
- ``bench/empty-signed-in/``: an empty view for a signed-in person — the session, the user and
  the tenant middleware run, as for any page, and nothing else (the Phone Numbers page's
  baseline);
- ``bench/empty-page/``: the layout (base.html) with nothing in it, for a signed-in person: how
  much of a page's cost is the layout every page shares (shown for scale);
- ``bench/numbers-floor/``: the floor under the Phone Numbers page's first page, what any way of
  building it must still do: its own statements (as the page built them once) sent to the
  database, the layout rendered, its own HTML (rendered once) written out (shown for scale)."""

import threading
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST


@csrf_exempt
@require_POST
def empty(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@require_GET
@login_required
def empty_signed_in(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


_EMPTY_PAGE = engines["django"].from_string('{% extends "base.html" %}')


@require_GET
@login_required
def empty_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_EMPTY_PAGE.render({}, request))


@dataclass
class _Floor:
    statements: list[str] = field(default_factory=list)
    content: bytes = b""


_FLOOR = _Floor()
_FLOOR_LOCK = threading.Lock()


@require_GET
@login_required
def numbers_floor(request: HttpRequest) -> HttpResponse:
    """The first page's statements and HTML are taken once per process from the page itself
    (``phone_number_list_view``); each request then sends the same statements, reads their
    rows and renders the layout, but builds no query and renders nothing of the page's own."""
    from phone_numbers.views import phone_number_list_view

    with _FLOOR_LOCK:
        if not _FLOOR.content:
            with CaptureQueriesContext(connection) as queries:
                page = phone_number_list_view(request)
            _FLOOR.statements = [query["sql"] for query in queries.captured_queries]
            _FLOOR.content = page.content
    with connection.cursor() as cursor:
        for statement in _FLOOR.statements:
            cursor.execute(statement)
            cursor.fetchall()
    _EMPTY_PAGE.render({}, request)
    return HttpResponse(_FLOOR.content)


urlpatterns = [
    path("bench/empty/", empty),
    path("hooks/bench-empty/", empty),
    path("bench/empty-signed-in/", empty_signed_in),
    path("bench/empty-page/", empty_page),
    path("bench/numbers-floor/", numbers_floor),
    path("", include("config.urls")),
]
