"""Area code preferences: the one rule for what a person may give when a number is ordered
(dedicated, reusable, or a single-use campaign's at launch), used by every form and service.

Any three digits are accepted: the carriers answer for codes that sell nothing, and the
simulated carrier's codes for forcing a path (000 empty, 998 flaky, 999 failing) must work
wherever a number is ordered.
"""

import re
from collections.abc import Sequence

MAX_AREA_CODES = 5
AREA_CODE = re.compile(r"[0-9]{3}")
SEPARATORS = re.compile(r"[\s,;]+")


class AreaCodeError(ValueError):
    """The preferences break the rule; the message says how, in words for the person."""


def area_codes_parse(value: str | Sequence[str]) -> list[str]:
    """“212, 646 917” (or ["212", "646", "917"]) → ["212", "646", "917"], in the order given.

    Raises AreaCodeError unless there are one to MAX_AREA_CODES codes, each three digits,
    none given twice."""
    text = value if isinstance(value, str) else " ".join(value)
    codes = [code for code in SEPARATORS.split(text) if code]
    if not codes:
        raise AreaCodeError("Enter at least one area code.")
    bad = [code for code in codes if not AREA_CODE.fullmatch(code)]
    if bad:
        raise AreaCodeError(f"“{', '.join(bad)}” is not an area code; enter 3 digits, e.g. 212.")
    repeated = sorted({code for code in codes if codes.count(code) > 1}, key=codes.index)
    if repeated:
        raise AreaCodeError(f"Give each area code once; repeated: {', '.join(repeated)}.")
    if len(codes) > MAX_AREA_CODES:
        raise AreaCodeError(f"Give at most {MAX_AREA_CODES} area codes.")
    return codes
