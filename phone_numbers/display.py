"""A phone number as people read it, ``(415) 206-4322``.

Pages show numbers this way (the ``phone`` template filter, and labels built in Python);
exports, commands and form values keep E.164 (``+14152064322``)."""

import phonenumbers

# North American numbers (the only ones 10DLC texts) read in their national form; any other in
# the international one.
_NANP = 1


def phone_readable(value: str | None) -> str:
    """The readable form of an E.164 number; "" for none (so ``|default:"—"`` can follow), and
    anything that is not a number as it came."""
    if not value:
        return ""
    try:
        parsed = phonenumbers.parse(str(value), None)
    except phonenumbers.NumberParseException:
        return str(value)
    form = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == _NANP
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, form)
