"""The app's URLs plus the empty views the HTTP benchmarks measure pages and webhooks against,
served by the same gunicorn (benchmarks only; never in config.urls):

- ``bench/empty/``: an empty POST view (the inbound webhook's baseline);
- ``hooks/bench-empty/``: the same view where carriers' webhooks are served, through their own
  lighter middleware (config/wsgi.py);
- ``bench/empty-signed-in/``: an empty view for a signed-in person — the session, the user and
  the tenant middleware run, as for any page, and nothing else (the Phone Numbers page's
  baseline);
- ``bench/empty-page/``: the layout (base.html) with nothing in it, for a signed-in person: how
  much of a page's cost is the layout every page shares (shown for scale)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template import engines
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


urlpatterns = [
    path("bench/empty/", empty),
    path("hooks/bench-empty/", empty),
    path("bench/empty-signed-in/", empty_signed_in),
    path("bench/empty-page/", empty_page),
    path("", include("config.urls")),
]
