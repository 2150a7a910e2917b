"""The ranges a person may type into a form, checked beside the field where they type it, and
backed by database constraints where a rule depends on them.

A date outside EARLIEST_DATE..LATEST_DATE is a typo (a year 9999 start date even breaks the
pages that read it back: in UTC it is year 10000, beyond what Python's datetime holds)."""

from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)
# The database's backstop, in UTC: a day either side of the range covers every time zone.
EARLIEST_STORED = datetime.combine(EARLIEST_DATE - timedelta(days=1), time.min, UTC)
LATEST_STORED = datetime.combine(LATEST_DATE + timedelta(days=2), time.min, UTC)
# The most reusable numbers an office may be given as its quota.
OFFICE_QUOTA_MAX = 1000


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


DATE_RANGE_MESSAGE = f"Choose a date between {_day(EARLIEST_DATE)} and {_day(LATEST_DATE)}."


def date_time_in_range(value: datetime) -> None:
    """Refuses a date and time outside the range as the person typed it: in the time zone the
    request activated (the organization's)."""
    if not EARLIEST_DATE <= timezone.localtime(value).date() <= LATEST_DATE:
        raise ValidationError(DATE_RANGE_MESSAGE, code="out_of_range")


def date_input_attrs() -> dict[str, str]:
    """``min`` and ``max`` of a datetime-local input, so the browser offers only the range."""
    return {"min": f"{EARLIEST_DATE}T00:00", "max": f"{LATEST_DATE}T23:59"}


# The largest id or count a form may name: PostgreSQL's integer.
WHOLE_NUMBER_MAX = 2**31 - 1


def whole_number(raw: str | None) -> int | None:
    """A whole number as a person types it (ASCII digits, spaces around ignored), or None for
    anything else. ``str.isdigit`` is not enough: ``"²".isdigit()`` is True and ``int("²")``
    fails, and forty nines are no count or id the database holds."""
    text = (raw or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(WHOLE_NUMBER_MAX)):
        return None
    value = int(text)
    return value if value <= WHOLE_NUMBER_MAX else None
