"""Who may open a page: signed in (else login), in an organization and of a role (else 403).

Objects are always looked up inside ``request.organization``, so another organization's object
answers 404.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts.models import User
from offices.models import Membership, Organization, Role

View = Callable[..., HttpResponse]


class TenantRequest(HttpRequest):
    """The request as tenant views see it (for type checkers)."""

    user: User
    organization: Organization
    membership: Membership


def role_required(*roles: Role) -> Callable[[View], View]:
    allowed = set(roles)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership: Membership | None = getattr(request, "membership", None)
            if membership is None or membership.role not in allowed:
                raise PermissionDenied("Your role does not allow this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


admin_required = role_required(Role.ADMIN)
staff_required = role_required(Role.ADMIN, Role.MEMBER)
any_role_required = role_required(Role.ADMIN, Role.MEMBER, Role.SENDER)
