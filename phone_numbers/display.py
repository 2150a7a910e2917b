"""A phone number as people read it, ``(415) 206-4322``.

Pages show numbers this way (the ``phone`` template filter, and labels built in Python);
exports, commands and form values keep E.164 (``+14152064322``)."""

import re

import phonenumbers

# North American numbers (the only ones 10DLC texts) read in their national form; any other in
# the international one.
_NANP = 1
# A North American number whose area code starts with 2-9, which the `phonenumbers` library
# writes ``(NPA) NXX-XXXX`` whatever the exchange (tests/test_phone_filter.py holds the two to
# each other). Parsing one with the library takes ~0.3 ms: 15 ms for a page of 50 numbers.
_NANP_TEN_DIGITS = re.compile(r"\+1([2-9]\d\d)(\d{3})(\d{4})", re.ASCII)


def phone_readable(value: str | None) -> str:
    """The readable form of an E.164 number; "" for none (so ``|default:"—"`` can follow), and
    anything that is not a number as it came."""
    if not value:
        return ""
    value = str(value)
    north_american = _NANP_TEN_DIGITS.fullmatch(value)
    if north_american:
        return "({}) {}-{}".format(*north_american.groups())
    return _formatted(value)


def _formatted(value: str) -> str:
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    form = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == _NANP
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, form)
