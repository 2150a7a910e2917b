"""Organizations' time zones: which names are valid, how a zone is named on screen, and the
grouped choices of the Organization settings page.

Every time Longcode shows (pages, e-mails, commands) is in its organization's zone; the server
itself keeps UTC.
"""

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format

DEFAULT_TIME_ZONE = "America/New_York"

# Where most organizations are: listed first, above every zone of the world.
US_ZONES = (
    ("America/New_York", "Eastern"),
    ("America/Chicago", "Central"),
    ("America/Denver", "Mountain"),
    ("America/Phoenix", "Arizona"),
    ("America/Los_Angeles", "Pacific"),
    ("America/Anchorage", "Alaska"),
    ("Pacific/Honolulu", "Hawaii"),
)
# The IANA areas of current place names; the old aliases (US/…, Etc/…, EST5EDT) stay valid for
# a name typed at the command line but are not offered.
REGIONS = (
    "America",
    "Europe",
    "Asia",
    "Africa",
    "Australia",
    "Pacific",
    "Atlantic",
    "Indian",
    "Antarctica",
    "Arctic",
)

Choices = list[tuple[str, list[tuple[str, str]]]]


@cache
def time_zone_names() -> frozenset[str]:
    # "localtime" is the server's own zone (a file of the OS), the very thing this replaces;
    # "Factory" is a placeholder zone with no place behind it.
    return frozenset(available_timezones() - {"localtime", "Factory"})


def time_zone_validate(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(
            f"“{value}” is not a time zone. Choose one from the list (IANA names such as "
            "America/Chicago)."
        )


def time_zone_abbreviation(name: str) -> str:
    """The zone's abbreviation now: "CST", "NZDT", or "-03" where the zone has none."""
    return timezone.now().astimezone(ZoneInfo(name)).tzname() or name


def moment_text(value: datetime, *, time_zone: str) -> str:
    """A moment as the pages write it, in that zone: "Nov 30, 2026, 5:23 PM EST". For the
    commands, which have no request and so no active zone."""
    return date_format(value.astimezone(ZoneInfo(time_zone)), "DATETIME_FORMAT")


def time_zone_choices() -> Choices:
    """(group, [(name, label)]) for a <select>: the US zones, UTC, then each region's places,
    each labelled with its current offset so a person can check it against their clock."""
    now = timezone.now()
    by_region: dict[str, list[str]] = {region: [] for region in REGIONS}
    for name in time_zone_names():
        region, _, place = name.partition("/")
        if place and region in by_region:
            by_region[region].append(name)
    groups: Choices = [
        (
            "United States",
            [(name, f"{label} — {_place(name)}{_offset(name, now)}") for name, label in US_ZONES],
        ),
        ("Universal", [("UTC", "UTC")]),
    ]
    for region, names in by_region.items():
        places = sorted((_place(name), name) for name in names)
        groups.append((region, [(name, f"{place}{_offset(name, now)}") for place, name in places]))
    return groups


def _place(name: str) -> str:
    return name.partition("/")[2].replace("_", " ").replace("/", " / ")


def _offset(name: str, now: datetime) -> str:
    offset = now.astimezone(ZoneInfo(name)).strftime("%z")
    return f" (UTC{offset[0]}{offset[1:3]}:{offset[3:]})"
