from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from offices.models import Membership


class TenantMiddleware:
    """Resolves ``request.membership`` and ``request.organization`` once per request, and shows
    the request in the organization's time zone: every time rendered and every date-time typed
    into a form is in it.

    Views still filter by the organization explicitly; this only finds it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = None
        if request.user.is_authenticated:
            membership = (
                Membership.objects.select_related("organization")
                .filter(user=request.user)
                .order_by("id")
                .first()
            )
        request.membership = membership  # type: ignore[attr-defined]
        request.organization = membership.organization if membership else None  # type: ignore[attr-defined]
        if membership is None:
            return self.get_response(request)
        timezone.activate(membership.organization.time_zone)
        try:
            return self.get_response(request)
        finally:
            # The thread serves other organizations next.
            timezone.deactivate()
