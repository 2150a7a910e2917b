"""The standard keywords carriers expect us to honour (CTIA): a message that is nothing but one
of them, in any case, with any spaces or punctuation around or inside ("Stop.", " stop all ",
"UN-SUBSCRIBE!"). A sentence that merely contains one ("please stop by the office") is not a
keyword."""

import enum
import re


class Keyword(enum.StrEnum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"


KEYWORDS = {
    **dict.fromkeys(
        ["STOP", "STOPALL", "UNSUBSCRIBE", "UNSUB", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"],
        Keyword.OPT_OUT,
    ),
    **dict.fromkeys(["START", "UNSTOP"], Keyword.OPT_IN),
    **dict.fromkeys(["HELP", "INFO"], Keyword.HELP),
}
_NOT_LETTERS = re.compile(r"[^A-Z]")


def keyword_of(body: str) -> Keyword | None:
    return KEYWORDS.get(_NOT_LETTERS.sub("", body.upper()))
