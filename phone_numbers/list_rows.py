"""What each row of the Phone Numbers list shows beyond its columns, computed once for the page
(``list_rows_shown``) instead of by a template tag per row: ``{% url %}``, ``get_*_display``,
``|date`` with its time-zone conversion, ``|truncatechars``, ``|phone`` and the status tag's
``{% include %}``, fifty times each, were most of the page's time (the page itself is now a
Jinja2 template, templates/jinja2/phone_numbers/list_body.html). The text is the same as
theirs, to the character."""

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from phone_numbers.display import phone_readable
from phone_numbers.models import Kind, ResponseType

KIND_LABELS: dict[str, str] = dict(Kind.choices)
RESPONSE_TYPE_LABELS: dict[str, str] = dict(ResponseType.choices)
DESCRIPTION_SHOWN = 60  # characters, "…" included
# Any id would do; this one cannot be mistaken for the rest of a path.
_PK = 918273645


def list_rows_shown(rows: Sequence[Any]) -> None:
    """Sets on each row (a NumberRow of ``phone_number_page``): ``detail_url``,
    ``campaign_url`` (when ``campaign_id`` is set), ``phone`` (the number as people read it),
    ``description_shown`` (cut short), ``kind_label``, ``response_type_label``,
    ``created_on`` (the day in the active time zone, as ``|date`` writes it) and ``status_tag``
    (includes/status_tag.html)."""
    detail_url = url_maker("phone_numbers:detail")
    campaign_url = url_maker("campaigns:detail")
    zone = timezone.get_current_timezone()
    days: dict[date, str] = {}
    tags: dict[tuple[str, str], SafeString] = {}
    for number in rows:
        number.detail_url = detail_url(number.pk)
        campaign_id = getattr(number, "campaign_id", None)
        number.campaign_url = campaign_url(campaign_id) if campaign_id else ""
        number.phone = phone_readable(number.e164)
        # As ``|default:"—"|truncatechars:60`` wrote it.
        description = number.description or "—"
        # Truncator counts characters one by one; a text no longer than the cut needs none.
        if len(description) > DESCRIPTION_SHOWN:
            description = Truncator(description).chars(DESCRIPTION_SHOWN)
        number.description_shown = description
        number.kind_label = KIND_LABELS.get(number.kind, number.kind)
        number.response_type_label = RESPONSE_TYPE_LABELS.get(
            number.response_type, number.response_type
        )
        created = number.created_at.astimezone(zone)
        day = created.date()
        if day not in days:
            days[day] = date_format(created, "DATE_FORMAT")
        number.created_on = days[day]
        # The tag reads nothing else of the number.
        tag = (number.provisioning_status, number.failure_reason)
        if tag not in tags:
            tags[tag] = render_to_string("includes/status_tag.html", {"number": number})
        number.status_tag = tags[tag]


def url_maker(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])`` for any ``pk``, from one reversal: the path around the id
    never changes."""
    before, after = reverse(name, args=[_PK]).split(str(_PK))
    return lambda pk: f"{before}{pk}{after}"
