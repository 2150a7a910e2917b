from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from offices.permissions import staff_required


@staff_required
def phone_number_list(request: HttpRequest) -> HttpResponse:
    return render(request, "phone_numbers/list.html", {"phone_numbers": []})
