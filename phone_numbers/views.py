"""The pages under /numbers/: the Phone Numbers list and its export, adding a number, a
number's own page (its provisioning card, attempts and carrier panel) and a reusable number's
defaults.

Of this app, only these pages and the add-a-number forms call up into the provisioning engine
(ordering, searching the carrier, the carrier panel); its models, services and selectors stand
below it (DESIGN.md) and never import it (``phone_numbers/tests/test_layers.py``).
"""

from dataclasses import dataclass, field
from functools import partial
from typing import cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.http import Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template import engines
from django.utils import timezone
from django.utils.safestring import mark_safe

from offices.permissions import TenantRequest, staff_required
from phone_numbers.behaviour import reusable_number_behaviour
from phone_numbers.export import export_csv
from phone_numbers.filters import DEFAULT_ORDERING
from phone_numbers.forms import DEFAULT_FIELDS, ReusableDefaultsForm
from phone_numbers.list_rows import list_rows_shown
from phone_numbers.models import Kind, PhoneNumber, ProvisioningStatus, ResponseType
from phone_numbers.order_forms import NUMBER_FORMS, NumberOrderForm, number_forms
from phone_numbers.pagination import BadCursor, KeysetPage
from phone_numbers.permissions import number_staff_required
from phone_numbers.selectors import (
    PhoneNumberQueryError,
    phone_number_attempts,
    phone_number_filter,
    phone_number_get,
    phone_number_list,
    phone_number_page,
)
from phone_numbers.services import ReusableNumberError, reusable_number_update
from provisioning.carriers.base import AvailableNumber
from provisioning.selectors import number_carrier_panel
from provisioning.services import ProvisioningError, UseCaseFull, available_numbers, number_order

PAGE_SIZE = 50
# The page inside the layout, in Jinja2 (config/jinja2.py says why).
LIST_BODY = partial(engines["jinja2"].get_template, "phone_numbers/list_body.html")
# The query-string keys that describe the list (the cursor only says where in it we are).
LIST_PARAMS = ("q", "kind", "status", "office", "agent", "response_type", "o")


@staff_required
def phone_number_list_view(request: TenantRequest) -> HttpResponse:
    organization, membership = request.organization, request.membership
    params = _list_params(request.GET)
    # The form shows what the person asked for, with a message beside each value we cannot
    # use; the list is shown without those values.
    filterset = phone_number_filter(organization=organization, membership=membership, params=params)
    problems: dict[str, list[str]] = {key: list(e) for key, e in filterset.errors.items()}
    usable = filterset
    if problems:
        usable = phone_number_filter(
            organization=organization, membership=membership, params=_without(params, problems)
        )

    def page_at(cursor: str | None) -> KeysetPage:
        return phone_number_page(
            filterset=usable,
            organization=organization,
            membership=membership,
            cursor=cursor,
            size=PAGE_SIZE,
        )

    try:
        page = page_at(request.GET.get("cursor"))
    except BadCursor as error:
        problems["cursor"] = [str(error)]
        page = page_at(None)
    list_rows_shown(page.rows)
    context = {
        "page": page,
        "filter_form": filterset.form,
        "problems": problems,
        "query": usable.data.urlencode(),
        "columns": _columns(usable.data),
        "sort_param": usable.data.get("o", ""),
        "filtered": any(usable.data.get(key) for key in LIST_PARAMS if key != "o"),
        "membership": membership,
    }
    # Jinja2's backend writes its lazy ``csrf_token`` into the dict it is given: given the view's
    # own, the layout would read that one, which masks the token anew each time it is read.
    context["body"] = mark_safe(LIST_BODY().render({**context}, request))  # escaped by Jinja2
    return render(request, "phone_numbers/list.html", context, status=400 if problems else 200)


@staff_required
def phone_number_export(request: TenantRequest) -> HttpResponse:
    try:
        numbers = phone_number_list(
            organization=request.organization,
            membership=request.membership,
            params=_list_params(request.GET),
        )
    except PhoneNumberQueryError as error:
        # An export must be exactly the list that was asked for, so we refuse rather than guess.
        return HttpResponse(
            f"This export's filters are not valid: {error}", status=400, content_type="text/plain"
        )
    filename = f"phone-numbers-{request.organization.slug}-{timezone.now():%Y%m%d-%H%M}.csv"
    response = StreamingHttpResponse(
        export_csv(numbers, membership=request.membership), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # The role decorators are typed for HttpResponse; a streamed one serves the same way.
    return cast(HttpResponse, response)


COLUMNS = [
    ("number", "Number"),
    ("name", "Name"),
    ("description", "Description"),
    ("kind", "Kind"),
    ("office", "Office"),
    ("agent", "Agent"),
    ("response_type", "Response type"),
    ("inboxes", "Inboxes"),
    ("status", "Status"),
    ("usage", "Usage"),
    ("created", "Created"),
]


def _columns(params: QueryDict) -> list[dict[str, str]]:
    """Each column header's link: sorts by it, or flips the direction when it is the sort."""
    current = params.get("o") or DEFAULT_ORDERING
    # The list's query string with "o" last, as _list_params orders it (one copy of the query,
    # not one per column); a column's sort key needs no quoting.
    rest = params.copy()
    rest.pop("o", None)
    prefix = f"{rest.urlencode()}&o=" if rest else "o="
    columns = []
    for key, label in COLUMNS:
        sort = ""
        if current.removeprefix("-") == key:
            sort = "descending" if current.startswith("-") else "ascending"
        query = prefix + (f"-{key}" if sort == "ascending" else key)
        columns.append({"key": key, "label": label, "sort": sort, "query": query})
    return columns


def _without(params: QueryDict, keys: dict[str, list[str]]) -> QueryDict:
    kept = params.copy()
    for key in keys:
        kept.pop(key, None)
    return kept


def _list_params(query: QueryDict) -> QueryDict:
    params = QueryDict(mutable=True)
    for key in LIST_PARAMS:
        value = query.get(key)
        if value:
            params[key] = str(value)
    return params


@staff_required
def reusable_fields(request: TenantRequest) -> HttpResponse:
    """The office-dependent part of a reusable number's form (htmx): the chosen office's
    inboxes, its quota and its IDK behaviour. Nothing is validated or saved here."""
    initial = {
        "office": request.GET.get("office"),
        "inboxes": request.GET.getlist("inboxes"),
        "response_type": request.GET.get("response_type") or ResponseType.AGENT,
    }
    form = ReusableDefaultsForm(
        initial=initial, organization=request.organization, membership=request.membership
    )
    context = {"form": form, "refresh": True}
    return render(request, "phone_numbers/_reusable_office_fields.html", context)


@number_staff_required
def reusable_number_edit(request: TenantRequest, pk: int) -> HttpResponse:
    """Editing a reusable number's defaults; its number and kind are shown, never changed."""
    number = phone_number_get(
        organization=request.organization, membership=request.membership, pk=pk
    )
    if number.kind != Kind.REUSABLE:
        raise Http404("Only a reusable number has defaults to edit.")
    form = ReusableDefaultsForm(
        request.POST if request.method == "POST" else None,
        initial={**model_to_dict(number, fields=DEFAULT_FIELDS), "office": number.office},
        organization=request.organization,
        membership=request.membership,
        current_office=number.office,
    )
    if request.method == "POST" and form.is_valid():
        try:
            reusable_number_update(phone_number=number, **form.defaults())
        except ReusableNumberError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, "Saved the number's default settings.")
            return redirect("phone_numbers:detail", pk=number.pk)
    return render(request, "phone_numbers/edit.html", {"form": form, "number": number})


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
            return redirect("phone_numbers:detail", pk=number.pk)
    if request.method == "POST" and "area_codes" in form.cleaned_data:
        results = _search(form)
    partial = bool(getattr(request, "htmx", False))
    template = "phone_numbers/_new_form.html" if partial else "phone_numbers/new.html"
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
    return render(request, "phone_numbers/detail.html", context)


@number_staff_required
def number_status(request: TenantRequest, pk: int) -> HttpResponse:
    """The status card alone; the page polls it while the number is in flight."""
    number = phone_number_get(
        organization=request.organization, membership=request.membership, pk=pk
    )
    return render(request, "phone_numbers/_status.html", _status_context(number))


def _status_context(number: PhoneNumber) -> dict[str, object]:
    return {
        "number": number,
        "attempts": phone_number_attempts(phone_number=number),
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
