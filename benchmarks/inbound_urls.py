"""The app's URLs plus an empty POST view: the baseline the inbound benchmark measures the
webhook against, in the same gunicorn (benchmarks only; never in config.urls)."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


@csrf_exempt
@require_POST
def empty(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/empty/", empty), path("", include("config.urls"))]
