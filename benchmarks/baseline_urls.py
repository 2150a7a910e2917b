"""The app's URLs plus the empty views the HTTP benchmarks measure pages and webhooks against,
served by the same gunicorn (benchmarks only; never in config.urls):

- ``bench/empty/``: an empty POST view (the inbound webhook's baseline);
- ``bench/empty-signed-in/``: an empty view for a signed-in person — the session, the user and
  the tenant middleware run, as for any page, and nothing else (the Phone Numbers page's
  baseline)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
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


urlpatterns = [
    path("bench/empty/", empty),
    path("bench/empty-signed-in/", empty_signed_in),
    path("", include("config.urls")),
]
