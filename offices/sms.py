"""How long a text is on a phone: its encoding and how many SMS segments it takes.

A text of GSM-7 characters only (the GSM 03.38 alphabet; its extension characters such as € or
braces count twice) fits 160 in one segment, 153 per segment once split; anything else (an
emoji, curly quotes) sends the whole text as UCS-2: 70 UTF-16 units in one segment, 67 per
segment once split. The organization's automatic replies are kept to ``MAX_SEGMENTS``."""

import math
from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
MAX_SEGMENTS = 2


@dataclass(frozen=True)
class SmsLength:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # characters as the phone counts them
    segments: int

    @property
    def limit(self) -> int:
        """The most units ``MAX_SEGMENTS`` segments hold in this encoding."""
        return MAX_SEGMENTS * (153 if self.encoding == "GSM-7" else 67)

    @property
    def hint(self) -> str:
        plural = "" if self.segments == 1 else "s"
        return (
            f"{self.units} of {self.limit} characters ({self.encoding}): "
            f"{self.segments} SMS segment{plural}."
        )


def sms_length(text: str) -> SmsLength:
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text):
        units = sum(2 if c in GSM7_EXTENSION else 1 for c in text)
        return SmsLength("GSM-7", units, _segments(units, single=160, split=153))
    units = len(text.encode("utf-16-le")) // 2
    return SmsLength("UCS-2", units, _segments(units, single=70, split=67))


def _segments(units: int, *, single: int, split: int) -> int:
    if units == 0:
        return 0
    return 1 if units <= single else math.ceil(units / split)


def sms_length_error(text: str) -> str | None:
    """Why ``text`` cannot be an automatic reply, or None."""
    if not text.strip():
        return "Enter the text; a contact must get an answer."
    length = sms_length(text)
    if length.segments > MAX_SEGMENTS:
        return (
            f"This text takes {length.segments} SMS segments ({length.units} {length.encoding} "
            f"characters); keep it to {MAX_SEGMENTS}: at most {length.limit} characters in "
            f"{length.encoding}."
            + (
                " Characters like emoji or curly quotes switch the whole text to UCS-2."
                if length.encoding == "UCS-2"
                else ""
            )
        )
    return None
