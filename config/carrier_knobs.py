"""The simulated carrier's knobs as written in the environment, parsed into values.

Settings keep the raw strings (tests override them); the carrier parses them at call time and
settings parse them once at start-up so a malformed value fails with ImproperlyConfigured.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_AREA_CODE = re.compile(r"^\d{3}$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


@dataclass(frozen=True)
class Knobs:
    seed: int
    latency: tuple[float, float]
    fail_area_codes: frozenset[str]
    flaky_area_codes: dict[str, int]
    empty_area_codes: frozenset[str]
    error_rate: float
    undeliverable: frozenset[str]


def parse_latency(value: str) -> tuple[float, float]:
    match = re.match(r"^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$", value)
    if not match or float(match[1]) > float(match[2]):
        raise ImproperlyConfigured(
            f"SIMULATED_CARRIER_LATENCY={value!r} is not MIN-MAX seconds, e.g. 5-30 or 0-0."
        )
    return float(match[1]), float(match[2])


def parse_area_codes(name: str, values: list[str] | str) -> frozenset[str]:
    codes = values.split(",") if isinstance(values, str) else values
    codes = [code.strip() for code in codes if code.strip()]
    bad = [code for code in codes if not _AREA_CODE.match(code)]
    if bad:
        raise ImproperlyConfigured(f"{name}: {', '.join(bad)} is not a 3-digit area code.")
    return frozenset(codes)


def parse_flaky(value: str) -> dict[str, int]:
    flaky: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in value.split(","))):
        match = re.match(r"^(\d{3}):(\d+)$", item)
        if not match:
            raise ImproperlyConfigured(
                f"SIMULATED_CARRIER_FLAKY_AREA_CODES: {item!r} is not CODE:N, e.g. 998:2."
            )
        flaky[match[1]] = int(match[2])
    return flaky


def parse_phones(name: str, values: list[str] | str) -> frozenset[str]:
    phones = values.split(",") if isinstance(values, str) else values
    phones = [phone.strip() for phone in phones if phone.strip()]
    bad = [phone for phone in phones if not _E164.match(phone)]
    if bad:
        raise ImproperlyConfigured(
            f"{name}: {', '.join(bad)} is not an E.164 number, e.g. +12125550100."
        )
    return frozenset(phones)


def parse_error_rate(value: float) -> float:
    if not 0 <= value <= 1:
        raise ImproperlyConfigured(
            f"SIMULATED_CARRIER_ERROR_RATE={value} must be a share between 0 and 1, e.g. 0.05."
        )
    return value


def knobs_from(settings: Any) -> Knobs:
    return Knobs(
        seed=int(settings.SIMULATED_CARRIER_SEED),
        latency=parse_latency(str(settings.SIMULATED_CARRIER_LATENCY)),
        fail_area_codes=parse_area_codes(
            "SIMULATED_CARRIER_FAIL_AREA_CODES",
            settings.SIMULATED_CARRIER_FAIL_AREA_CODES,
        ),
        flaky_area_codes=parse_flaky(str(settings.SIMULATED_CARRIER_FLAKY_AREA_CODES)),
        empty_area_codes=parse_area_codes(
            "SIMULATED_CARRIER_EMPTY_AREA_CODES",
            settings.SIMULATED_CARRIER_EMPTY_AREA_CODES,
        ),
        error_rate=parse_error_rate(float(settings.SIMULATED_CARRIER_ERROR_RATE)),
        undeliverable=parse_phones(
            "SIMULATED_CARRIER_UNDELIVERABLE", settings.SIMULATED_CARRIER_UNDELIVERABLE
        ),
    )
