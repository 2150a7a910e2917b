"""Durations written in the environment as ``72h``, ``30m``, ``45s``, ``2d`` or plain seconds."""

import re
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")


def parse_duration(name: str, value: str) -> timedelta:
    match = _PATTERN.match(value)
    if not match:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a duration; write e.g. 72h, 30m, 45s, 2d or 3600."
        )
    amount, unit = float(match[1]), match[2] or "s"
    return timedelta(**{_UNITS[unit]: amount})
