from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from offices.models import Membership

# The organization a person in several works in now: chosen in the header's switcher, or by
# following an invite link.
ORGANIZATION_SESSION_KEY = "organization_id"


class TenantMiddleware:
    """Resolves ``request.membership`` and ``request.organization`` once per request, and shows
    the request in the organization's time zone: every time rendered and every date-time typed
    into a form is in it.

    Views still filter by the organization explicitly; this only finds it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership, memberships = None, []
        if request.user.is_authenticated:
            # One query: every organization of the person, for the header's switcher too.
            memberships = list(
                Membership.objects.select_related("organization")
                .filter(user=request.user)
                .order_by("id")
            )
            chosen = request.session.get(ORGANIZATION_SESSION_KEY)
            membership = next(
                (m for m in memberships if m.organization_id == chosen),
                memberships[0] if memberships else None,
            )
        request.memberships = memberships  # type: ignore[attr-defined]
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
