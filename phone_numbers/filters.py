"""The Phone Numbers list's query: filters, the search box and the sortable columns."""

import copy
import re
from typing import Any, ClassVar

import django_filters
from django import forms
from django.db import connection
from django.db.models import (
    Expression,
    F,
    OuterRef,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce, Lower, Upper

from inboxes.models import Inbox
from offices.models import Membership, Organization
from offices.selectors import office_choices
from phone_numbers.models import (
    SEARCH_TEXT_SEPARATOR,
    Kind,
    PhoneNumber,
    ProvisioningStatus,
    ResponseType,
)


def inbox_names(delimiter: str) -> Expression:
    """The number's inbox names in name order (ignoring case), joined by ``delimiter`` ("" when
    none). (SQLite, the embedded default, cannot order inside an aggregate: there the order is
    the database's.)"""
    ordered = connection.features.supports_aggregate_order_by_clause
    names = (
        Inbox.objects.filter(phone_numbers=OuterRef("pk"))
        .values("phone_numbers")
        .annotate(
            names=StringAgg(
                "name", Value(delimiter), order_by=(Lower("name"), "name") if ordered else None
            )
        )
        .values("names")
    )
    return Coalesce(Subquery(names), Value(""), output_field=TextField())


# Digits with the punctuation people put in phone numbers: seven digits at least (a local
# number), so a date or a range in a name is searched as text only.
TYPED_NUMBER = re.compile(r"\+?[\s().-]*(?:\d[\s().-]*){7,}", re.ASCII)

# A search shorter than this holds no trigram, so no index could find it anywhere in the text:
# it matches the start of the name (of the agent, for the agent filter), and digits the start
# of the area code, which B-tree indexes serve (phone_numbers/sql.py POSTGRESQL_PREFIX_INDEXES).
SUBSTRING_MIN = 3
NUMBER_CHARACTERS = re.compile(r"[+0-9]+")


def start_of_name_or_area_code(value: str) -> Q:
    """A search of one or two characters: names starting with it (ignoring case), and for digits
    the North American numbers whose area code starts with them ("41" finds (415) 206-4322)."""
    found = Q(name__istartswith=value)
    if value.isascii() and value.isdigit():
        found |= Q(e164__startswith=f"+1{value}")
    return found


def name_or_description_contains(value: str) -> Q:
    """The name or the description holds ``value``, ignoring case: one LIKE on the number's
    search text (PhoneNumber.search_text, upper-cased by the database as the value is here),
    which one trigram index serves on PostgreSQL (phone_numbers/sql.py
    POSTGRESQL_SEARCH_INDEXES)."""
    found = Q(search_text__contains=Upper(Value(value)))
    if SEARCH_TEXT_SEPARATOR in value:
        # Only a hand-made link holds it (the box is one line): never a match across the two.
        found &= Q(name__icontains=value) | Q(description__icontains=value)
    return found


# Every column of the list sorts. Each sort key is non-NULL (so that a keyset cursor can compare
# it) and backed by an (organization, key, id) index; text compares lower-cased
# (PhoneNumber LIST_TEXT_SORT_COLUMNS).
SORT_KEYS: dict[str, Any] = {
    "number": Coalesce(F("e164"), Value("")),
    "name": Lower("name"),
    "description": Lower("description"),
    "kind": F("kind"),
    # The inboxes, office and usage keys are kept on the row by the database (PhoneNumber
    # inbox_names, office_name, in_use), each with its index like the columns above.
    "office": Lower("office_name"),
    "agent": Lower("agent"),
    "response_type": F("response_type"),
    "inboxes": Lower("inbox_names"),
    "status": F("provisioning_status"),
    "usage": F("in_use"),
    "created": F("created_at"),
}
DEFAULT_ORDERING = "-created"


class SortFilter(django_filters.OrderingFilter):
    """``o=name`` / ``o=-name``: orders by the column's sort key with the id as tie-breaker."""

    def filter(self, qs: QuerySet, value: list[str] | None) -> QuerySet:
        return sort_by(qs, value[0] if value else DEFAULT_ORDERING)


def sort_by(qs: QuerySet, param: str) -> QuerySet:
    column = param.removeprefix("-")
    key = f"sort_{column}"
    qs = qs.annotate(**{key: SORT_KEYS[column]})
    if param.startswith("-"):
        return qs.order_by(f"-{key}", "-id")
    return qs.order_by(key, "id")


class FiltersCopiedOneByOne(dict[str, django_filters.Filter]):
    """A FilterSet's ``base_filters``. django-filter deep-copies them for each FilterSet (each
    request), choices, labels and lazy strings included, though the only state a filter takes
    from its FilterSet is what FilterSet.__init__ sets on the copy (``model`` and ``parent``):
    here each filter is copied alone, a fraction of the cost. A filter with a ``method`` gets a
    FilterMethod of its own, which finds the method on its copy's parent, not the original's."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, django_filters.Filter]:
        return {name: _filter_copy(filter_) for name, filter_ in self.items()}


def _filter_copy(filter_: django_filters.Filter) -> django_filters.Filter:
    copied = copy.copy(filter_)
    if filter_.method is not None:
        copied.method = filter_.method  # the setter binds a new FilterMethod to the copy
    return copied


class FormFieldsCopiedWhereChanged(dict[str, forms.Field]):
    """The filter form's ``base_fields``. Django deep-copies them for each form (each request),
    so that a form may change its own; this form changes only the office's choices
    (``PhoneNumberFilter.form``), so only that field is copied and the rest, which no request
    changes, are shared by every form (the worker's threads too): a tenth of the cost. A field
    that a request changes belongs in ``changed``."""

    changed = frozenset({"office"})

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return {
            name: copy.deepcopy(field, memo) if name in self.changed else field
            for name, field in self.items()
        }


class PhoneNumberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search")
    kind = django_filters.ChoiceFilter(choices=Kind.choices, empty_label="Any kind")
    status = django_filters.ChoiceFilter(
        field_name="provisioning_status",
        choices=ProvisioningStatus.choices,
        empty_label="Any status (not released)",
    )
    office = django_filters.ChoiceFilter(empty_label="Any office")
    # A substring of the label (its start when shorter than three characters), as the search.
    agent = django_filters.CharFilter(
        label="Agent", method="agent_search", help_text="one or two letters: its start"
    )
    response_type = django_filters.ChoiceFilter(
        choices=ResponseType.choices, empty_label="Any response type"
    )
    o = SortFilter(fields=[(column, column) for column in SORT_KEYS], label="Sort")
    _form_class: ClassVar[type[forms.Form]]

    class Meta:
        model = PhoneNumber
        fields: list[str] = []

    @classmethod
    def get_filters(cls) -> FiltersCopiedOneByOne:
        return FiltersCopiedOneByOne(super().get_filters())

    def __init__(
        self, data: Any, *, organization: Organization, membership: Membership, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.organization = organization
        self.office_choices = office_choices(organization=organization, membership=membership)

    def get_form_class(self) -> type[forms.Form]:
        # The fields are the same on every request but for the office's choices, which each form
        # is given (``form``): the class is built once, where django-filter would build it, of
        # new fields, for every filterset.
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            form_class = super().get_form_class()
            form_class.base_fields = FormFieldsCopiedWhereChanged(form_class.base_fields)
            cls._form_class = form_class
        return cls._form_class

    @property
    def form(self) -> forms.Form:
        if not hasattr(self, "_form"):
            form = super().form
            form.fields["office"].choices = self.office_choices
        return self._form

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if len(value) < SUBSTRING_MIN:
            return qs.filter(start_of_name_or_area_code(value))
        found = name_or_description_contains(value)
        if TYPED_NUMBER.fullmatch(value):
            # A number typed as people write it ("(415) 208-2827", "415.208.2827") finds
            # +14152082827 by its digits.
            found |= Q(e164__contains=re.sub(r"\D", "", value))
        elif NUMBER_CHARACTERS.fullmatch(value):
            # The number holds only "+" and digits (and has no case): anything else is never in
            # it, and each search of it reads its index.
            found |= Q(e164__contains=value)
        return qs.filter(found)

    def agent_search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if len(value) < SUBSTRING_MIN:
            return qs.filter(agent__istartswith=value)
        return qs.filter(agent__icontains=value)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # Released numbers are history: shown only when asked for by status.
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.exclude(provisioning_status=ProvisioningStatus.RELEASED)
        return super().filter_queryset(queryset)
