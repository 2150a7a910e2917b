from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from config.celery import app


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("campaigns:active")


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker both answer; otherwise 503 naming what is down."""
    down = [name for name, answers in _PARTS.items() if not answers()]
    if down:
        return JsonResponse({"status": "down", "down": down}, status=503)
    return JsonResponse({"status": "ok"})


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True


def _broker_answers() -> bool:
    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as broker:
            broker.ensure_connection(max_retries=0, timeout=3)
    except Exception:  # each transport raises its own errors; any of them means "down"
        return False
    return True


_PARTS = {"database": _database_answers, "broker": _broker_answers}
