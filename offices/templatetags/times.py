"""``{{ value|when }}``: a moment in the active (the organization's) time zone, in the one
format of ``config/formats``. A built-in of the templates (settings ``TEMPLATES``)."""

from datetime import datetime

from django import template
from django.utils.formats import date_format

register = template.Library()


@register.filter(expects_localtime=True)
def when(value: datetime | None) -> str:
    return date_format(value, "DATETIME_FORMAT") if value else ""
