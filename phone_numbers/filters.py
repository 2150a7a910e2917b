"""The Phone Numbers list's query: filters, the search box and the sortable columns."""

from typing import Any

import django_filters
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
from django.db.models.functions import Coalesce

from inboxes.models import Inbox
from offices.models import Membership, Office, Organization
from offices.selectors import office_list
from phone_numbers.models import Kind, PhoneNumber, ProvisioningStatus, ResponseType
from phone_numbers.pagination import Segment
from phone_numbers.usage import in_use, numbers_in_use


def inbox_names(delimiter: str) -> Expression:
    """The number's inbox names in name order, joined by ``delimiter`` ("" when none).
    (SQLite, the embedded default, cannot order inside an aggregate: there the order is the
    database's.)"""
    ordered = connection.features.supports_aggregate_order_by_clause
    names = (
        Inbox.objects.filter(phone_numbers=OuterRef("pk"))
        .values("phone_numbers")
        .annotate(names=StringAgg("name", Value(delimiter), order_by="name" if ordered else None))
        .values("names")
    )
    return Coalesce(Subquery(names), Value(""), output_field=TextField())


# Every column of the list sorts. Each sort key is non-NULL (so that a keyset cursor can compare
# it) and, where it is a column of the number, backed by an (organization, key, id) index.
SORT_KEYS: dict[str, Any] = {
    "number": Coalesce(F("e164"), Value("")),
    "name": F("name"),
    "description": F("description"),
    "kind": F("kind"),
    "office": Coalesce(F("office__name"), Value("")),
    "agent": F("agent"),
    "response_type": F("response_type"),
    # inbox_names(", ") kept on the row by PostgreSQL (PhoneNumber.inbox_names, migration 0004),
    # so it has an (organization, key, id) index like the columns above instead of a lookup per
    # row; the embedded SQLite default has no such triggers and computes it per row.
    "inboxes": (F("inbox_names") if connection.vendor == "postgresql" else inbox_names(", ")),
    "status": F("provisioning_status"),
    "usage": in_use(),
    "created": F("created_at"),
}
DEFAULT_ORDERING = "-created"


def sort_segments(*, organization: Organization, column: str) -> list[Segment] | None:
    """For a sort key of few values that no index holds, its values in ascending order, each
    with the (organization, office, id) index ranges that hold its rows
    (phone_numbers/pagination.py); None for the rest."""
    if column not in ("office", "usage"):
        return None
    # The database's order of the names (its collation), and "" (no office) first.
    offices = Office.objects.filter(organization=organization).order_by("name", "pk")
    by_office = [("", Q(office__isnull=True))] + [
        (name, Q(office_id=pk)) for pk, name in offices.values_list("pk", "name")
    ]
    if column == "office":
        return [Segment(name, (office,)) for name, office in by_office]
    # Available numbers are most of them: read office by office in index order, like the office
    # sort, so no page walks the id index past other organizations' rows. Numbers in use are
    # few: their ids come from the live campaigns and are read by id.
    return [
        Segment(False, tuple(office & ~in_use() for _, office in by_office)),
        Segment(True, (Q(pk__in=numbers_in_use(organization=organization)),), by_office=False),
    ]


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


class PhoneNumberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search")
    kind = django_filters.ChoiceFilter(choices=Kind.choices, empty_label="Any kind")
    status = django_filters.ChoiceFilter(
        field_name="provisioning_status",
        choices=ProvisioningStatus.choices,
        empty_label="Any status (not released)",
    )
    office = django_filters.ModelChoiceFilter(
        queryset=Office.objects.none(), empty_label="Any office"
    )
    agent = django_filters.CharFilter(lookup_expr="icontains", label="Agent")
    response_type = django_filters.ChoiceFilter(
        choices=ResponseType.choices, empty_label="Any response type"
    )
    o = SortFilter(fields=[(column, column) for column in SORT_KEYS], label="Sort")

    class Meta:
        model = PhoneNumber
        fields: list[str] = []

    def __init__(
        self, data: Any, *, organization: Organization, membership: Membership, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.filters["office"].queryset = office_list(
            organization=organization, membership=membership
        )

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(
            Q(e164__icontains=value) | Q(name__icontains=value) | Q(description__icontains=value)
        )

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = self._select(queryset)
        return self.filters["o"].filter(queryset, self.form.cleaned_data.get("o"))

    def matching(self) -> QuerySet:
        """The rows the filters and the search select, and nothing else: no sort key, no
        annotations, no joins (what a segment's id query reads). Call ``is_valid()`` first."""
        return self._select(self.queryset.all())

    def _select(self, queryset: QuerySet) -> QuerySet:
        # Released numbers are history: shown only when asked for by status.
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.exclude(provisioning_status=ProvisioningStatus.RELEASED)
        for name, value in self.form.cleaned_data.items():
            if name != "o":
                queryset = self.filters[name].filter(queryset, value)
        return queryset
