"""The bot's choice of answer, simple enough to explain to the office that wrote the answers.

A phrase matches when it appears in the message as whole words, in any case and whatever the
spacing and punctuation around it ("financial aid" matches "Financial-aid?" but "aid" does not
match "said"). Of the matching phrases the most specific wins: the most words, then the most
letters; a tie goes to the answer written first.
"""

import re
from dataclasses import dataclass

from inboxes.models import BotAnswer
from offices.models import Office

_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


@dataclass(frozen=True)
class BotMatch:
    answer: BotAnswer
    phrase: str


def _contains(words: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


def bot_match(*, office: Office, text: str) -> BotMatch | None:
    """The office's best answer to ``text``, or None when the bot does not know (IDK)."""
    words = _words(text)
    best: tuple[int, int, int] | None = None
    found: BotMatch | None = None
    for answer in BotAnswer.objects.filter(office=office).order_by("id"):
        for phrase in answer.phrase_list:
            phrase_words = _words(phrase)
            if not phrase_words or not _contains(words, phrase_words):
                continue
            score = (len(phrase_words), sum(map(len, phrase_words)), -answer.pk)
            if best is None or score > best:
                best, found = score, BotMatch(answer, phrase)
    return found
