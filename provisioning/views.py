from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render

from offices.permissions import TenantRequest, staff_required
from phone_numbers.behaviour import reusable_number_behaviour
from phone_numbers.models import Kind, PhoneNumber, ProvisioningStatus
from phone_numbers.permissions import number_staff_required
from phone_numbers.selectors import phone_number_get
from phone_numbers.services import ReusableNumberError
from provisioning.carriers.base import AvailableNumber
from provisioning.forms import NUMBER_FORMS, NumberOrderForm, number_forms
from provisioning.models import ProvisioningAttempt
from provisioning.selectors import number_carrier_panel
from provisioning.services import ProvisioningError, UseCaseFull, available_numbers, number_order


@dataclass
class SearchResults:
    area_code: str = ""
    numbers: list[AvailableNumber] = field(default_factory=list)
    empty_area_codes: list[str] = field(default_factory=list)


@staff_required
def number_new(request: TenantRequest) -> HttpResponse:
    """Adding a number: admins any type, office members reusable numbers of their offices."""
    form_class = _form_class(request)
    action = request.POST.get("action", "search")
    form = form_class(
        request.POST if request.method == "POST" else None,
        # Switching the type keeps what was typed so far (the switch sends the form along).
        initial=request.GET.dict(),
        organization=request.organization,
        membership=request.membership,
        ordering=action == "order",
    )
    results = None
    if request.method == "POST" and form.is_valid() and action == "order":
        try:
            number = number_order(
                organization=request.organization,
                requested_by=request.user,
                **form.order_kwargs(),
            )
        except UseCaseFull as error:
            form.add_error("use_case", str(error))
        except ReusableNumberError as error:
            form.add_error(error.field, str(error))
        except ProvisioningError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Number ordered. Provisioning has started.")
            return redirect("provisioning:number_detail", pk=number.pk)
    if request.method == "POST" and "area_codes" in form.cleaned_data:
        results = _search(form)
    partial = bool(getattr(request, "htmx", False))
    template = "provisioning/_number_form.html" if partial else "provisioning/number_new.html"
    return render(request, template, {"form": form, "results": results})


def _form_class(request: TenantRequest) -> type[NumberOrderForm]:
    allowed = number_forms(request.membership)
    kind = (
        request.POST.get("number_type")
        or request.GET.get("number_type")
        or request.GET.get("kind")
        or next(iter(allowed))
    )
    if kind in NUMBER_FORMS and kind not in allowed:
        raise PermissionDenied("Only admins may add this type of number.")
    return allowed.get(kind, next(iter(allowed.values())))


def _search(form: NumberOrderForm) -> SearchResults | None:
    """Walks the area code preferences until one has numbers; errors go beside the field."""
    results = SearchResults()
    for area_code in form.cleaned_data["area_codes"]:
        try:
            numbers = available_numbers(area_code=area_code)
        except ProvisioningError as error:
            form.add_error("area_codes", str(error))
            return None
        if numbers:
            results.area_code, results.numbers = area_code, numbers
            return results
        results.empty_area_codes.append(area_code)
    codes = ", ".join(results.empty_area_codes)
    form.add_error("area_codes", f"No numbers available in {codes}. Try another area code.")
    return None


@number_staff_required
def number_detail(request: TenantRequest, pk: int) -> HttpResponse:
    number = phone_number_get(
        organization=request.organization, membership=request.membership, pk=pk
    )
    behaviour = None
    if number.kind == Kind.REUSABLE:
        behaviour = reusable_number_behaviour(phone_number=number)
    context = {**_status_context(number), "behaviour": behaviour}
    return render(request, "provisioning/number_detail.html", context)


@number_staff_required
def number_status(request: TenantRequest, pk: int) -> HttpResponse:
    """The status card alone; the page polls it while the number is in flight."""
    number = phone_number_get(
        organization=request.organization, membership=request.membership, pk=pk
    )
    return render(request, "provisioning/_number_status.html", _status_context(number))


def _status_context(number: PhoneNumber) -> dict[str, object]:
    return {
        "number": number,
        "attempts": ProvisioningAttempt.objects.filter(phone_number=number).order_by("n"),
        "max_attempts": settings.PROVISIONING_MAX_ATTEMPTS,
        "replacement_query": _replacement_query(number),
        "carrier_panel": number_carrier_panel(number=number),
    }


# What a failed number's replacement keeps: its type, use case and defaults; not its area
# codes, which the carriers have just refused.
REPLACEMENT_FIELDS = ("name", "description", "agent", "response_type")


def _replacement_query(number: PhoneNumber) -> str:
    """The add-a-number form's query string for a number like this failed one."""
    if number.provisioning_status != ProvisioningStatus.FAILED:
        return ""
    query = {"number_type": number.kind, "use_case": number.use_case_id}
    if number.kind == Kind.REUSABLE:
        query |= {"office": number.office_id}
        query |= {name: getattr(number, name) for name in REPLACEMENT_FIELDS}
    return urlencode({key: value for key, value in query.items() if value})
