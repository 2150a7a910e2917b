"""Phone numbers as people type them, turned into E.164 (US numbers by default), and back."""

import re

import phonenumbers

DEFAULT_REGION = "US"
_SEPARATORS = re.compile(r"[\s,;]+")
# The way nearly every North American number is written ("(212) 555-0100", "+1 212.555.0100"):
# read directly, so that only the validity check runs through phonenumbers. Anything else
# goes through phonenumbers' full parser.
_NANP_WRITTEN = re.compile(
    r"^\s*(?:\+?1[\s.-]?)?\(?([2-9][0-9]{2})\)?[\s.-]?([2-9][0-9]{2})[\s.-]?([0-9]{4})\s*$"
)


def phone_normalise(value: str) -> str | None:
    """The E.164 form of ``value`` (``+12125550100``), or None when it is not a valid
    North American number."""
    value = (value or "").strip()
    if not value:
        return None
    written = _NANP_WRITTEN.match(value)
    if written:
        national = int("".join(written.groups()))
        parsed = phonenumbers.PhoneNumber(country_code=1, national_number=national)
    else:
        try:
            parsed = phonenumbers.parse(value, DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            return None
    # 10DLC texting reaches North American numbers only.
    if parsed.country_code != 1 or not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_display(e164: str) -> str:
    """How people read a North American number: ``(415) 206-4322``."""
    parsed = phonenumbers.parse(e164, DEFAULT_REGION)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def phone_list_parse(text: str) -> tuple[set[str], list[str]]:
    """A pasted list (one per line, or separated by commas): the valid numbers in E.164 and
    the entries that are not phone numbers."""
    valid: set[str] = set()
    invalid: list[str] = []
    for line in text.splitlines():
        # "(212) 555-0100" holds a space; split lines on commas/semicolons first, then
        # fall back to whitespace only when the whole piece does not parse.
        for piece in re.split(r"[,;]+", line):
            piece = piece.strip()
            if not piece:
                continue
            e164 = phone_normalise(piece)
            if e164:
                valid.add(e164)
                continue
            for word in _SEPARATORS.split(piece):
                if word:
                    normalised = phone_normalise(word)
                    if normalised:
                        valid.add(normalised)
                    else:
                        invalid.append(word)
    return valid, invalid
