"""The reusable-number picker's search and filters (by agent and by type)."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from phone_numbers.models import PhoneNumber, ResponseType


class ReusableNumberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    agent = django_filters.ChoiceFilter(label="Agent", empty_label="Any agent")
    response_type = django_filters.ChoiceFilter(
        choices=ResponseType.choices, label="Type", empty_label="Any type"
    )

    class Meta:
        model = PhoneNumber
        fields = ["q", "agent", "response_type"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agents = sorted({a for a in self.queryset.values_list("agent", flat=True) if a})
        self.filters["agent"].extra["choices"] = [(a, a) for a in agents]

    def search(self, queryset: QuerySet[PhoneNumber], name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        digits = "".join(ch for ch in value if ch.isdigit())
        match = Q(name__icontains=value) | Q(description__icontains=value)
        if digits:
            match |= Q(e164__contains=digits)
        return queryset.filter(match)
