from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from offices.permissions import any_role_required


@any_role_required
def campaign_active_list(request: HttpRequest) -> HttpResponse:
    return render(request, "campaigns/active_list.html", {"campaigns": []})
