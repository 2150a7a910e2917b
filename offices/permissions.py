"""Who may open a page: signed in (else login), in an organization and of a role (else 403).

Objects are always looked up inside ``request.organization``, so another organization's object
answers 404; so does an object of the organization that the person may not see (another
office's inbox), so that neither answer confirms it exists.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from accounts.models import User
from offices.models import Membership, Organization, Role

View = Callable[..., HttpResponse]
# A selector of the objects a person may see: ``visible(organization=…, membership=…)``.
Visible = Callable[..., QuerySet[Any]]


class TenantRequest(HttpRequest):
    """The request as tenant views see it (for type checkers)."""

    user: User
    organization: Organization
    membership: Membership


def role_required(
    *roles: Role, visible: Visible | None = None, model: type[Model] | None = None
) -> Callable[[View], View]:
    """Signed in (else the login page) with one of ``roles`` (else 403).

    For a page about one object, ``visible`` is the selector of the objects the person may see
    (``office_visible``, ``inbox_list``…): when the role does not fit and the URL's ``pk`` is not
    among them — another organization's object, or another office's — the answer is 404 like
    any other lookup of an object they cannot see, so a 403 never confirms that it exists.
    ``model`` instead scopes that check to the organization only (for objects no office owns)."""
    allowed = set(roles)
    if visible is None and model is not None:
        manager = model._default_manager

        def visible(*, organization: Organization, membership: Membership) -> QuerySet[Any]:
            return manager.filter(organization=organization)

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership: Membership | None = getattr(request, "membership", None)
            if membership is None or membership.role not in allowed:
                if visible is not None and not _can_see(visible, membership, kwargs):
                    raise Http404("No such object in your organization.")
                raise PermissionDenied("Your role does not allow this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _can_see(visible: Visible, membership: Membership | None, kwargs: Any) -> bool:
    if membership is None or "pk" not in kwargs:
        return False
    objects = visible(organization=membership.organization, membership=membership)
    return bool(objects.filter(pk=kwargs["pk"]).exists())


admin_required = role_required(Role.ADMIN)
staff_required = role_required(Role.ADMIN, Role.MEMBER)
any_role_required = role_required(Role.ADMIN, Role.MEMBER, Role.SENDER)
