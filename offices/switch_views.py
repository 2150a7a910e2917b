"""The header's organization switcher: a person in several organizations works in one at a
time; the choice is kept in their session (``offices.middleware``)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from offices.bounds import whole_number
from offices.middleware import ORGANIZATION_SESSION_KEY
from offices.models import Membership


@require_POST
@login_required
def organization_switch(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("organization", "")
    membership = Membership.objects.filter(
        user_id=request.user.pk or 0, organization_id=whole_number(raw) or 0
    ).first()
    if membership is None:
        raise Http404("You are not in that organization.")
    request.session[ORGANIZATION_SESSION_KEY] = membership.organization_id
    return redirect("home")
