from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from offices.models import Membership

# The organization a person in several works in now (set by following an invite link).
ORGANIZATION_SESSION_KEY = "organization_id"


class TenantMiddleware:
    """Resolves ``request.membership`` and ``request.organization`` once per request.

    Views still filter by the organization explicitly; this only finds it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = None
        if request.user.is_authenticated:
            memberships = Membership.objects.select_related("organization").filter(
                user=request.user
            )
            chosen = request.session.get(ORGANIZATION_SESSION_KEY)
            membership = (chosen and memberships.filter(organization_id=chosen).first()) or (
                memberships.order_by("id").first()
            )
        request.membership = membership  # type: ignore[attr-defined]
        request.organization = membership.organization if membership else None  # type: ignore[attr-defined]
        return self.get_response(request)
