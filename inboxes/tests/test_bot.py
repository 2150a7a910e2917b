"""The bot's choice: whole words in any case, the most specific phrase wins, ties to the
answer written first, and another office's answers never count."""

import pytest

from inboxes.bot import bot_match
from inboxes.tests.factories import BotAnswerFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("When is the DEADLINE?", "general"),
        ("what's the fafsa-deadline", "fafsa"),
        ("He said hello", None),  # "aid" inside "said" is not the word
        ("financial aid office hours", "aid"),
        ("", None),
    ],
)
def test_the_most_specific_whole_word_phrase_wins(cast, text, expected):
    BotAnswerFactory.create(office=cast.office_a, phrases="deadline", answer="general")
    BotAnswerFactory.create(office=cast.office_a, phrases="FAFSA deadline", answer="fafsa")
    BotAnswerFactory.create(office=cast.office_a, phrases="aid\nfinancial aid", answer="aid")

    match = bot_match(office=cast.office_a, text=text)

    assert (match.answer.answer if match else None) == expected


@pytest.mark.django_db
def test_a_tie_goes_to_the_answer_written_first_and_offices_keep_their_own(cast):
    BotAnswerFactory.create(office=cast.office_b, phrases="parking lot", answer="theirs")
    BotAnswerFactory.create(office=cast.office_a, phrases="parking", answer="first")
    BotAnswerFactory.create(office=cast.office_a, phrases="lot", answer="second")

    match = bot_match(office=cast.office_a, text="Where is the parking lot?")

    assert match is not None
    assert (match.answer.answer, match.phrase) == ("first", "parking")
