"""The ``phone`` template filter: numbers as people read them on every page."""

import random

import phonenumbers
import pytest
from django.template import Context, Template

from phone_numbers.display import _formatted
from phone_numbers.display import phone_readable as phone


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+14152064322", "(415) 206-4322"),
        ("+12125550100", "(212) 555-0100"),
        # Canada shares the North American plan and its way of writing.
        ("+16135550123", "(613) 555-0123"),
        ("+442079460958", "+44 20 7946 0958"),
    ],
)
def test_a_number_reads_as_people_write_it(e164: str, shown: str) -> None:
    assert phone(e164) == shown


@pytest.mark.parametrize("nothing", [None, ""])
def test_no_number_is_empty_so_a_default_can_follow(nothing: str | None) -> None:
    assert phone(nothing) == ""
    assert (
        Template('{% load phones %}{{ n|phone|default:"—" }}').render(Context({"n": nothing}))
        == "—"
    )


def test_what_is_not_a_number_is_shown_as_it_came() -> None:
    assert phone("call me") == "call me"


def test_templates_load_it() -> None:
    rendered = Template("{% load phones %}{{ n|phone }}").render(Context({"n": "+14152064322"}))
    assert rendered == "(415) 206-4322"


def test_the_quick_north_american_form_is_the_librarys() -> None:
    """``phone_readable`` writes a ten-digit North American number itself (the library takes
    ~0.3 ms a number); it must be the library's form for every area code and exchange."""
    draw = random.Random(13)
    numbers = [
        f"+1{area}{draw.randrange(1000):03d}{draw.randrange(10000):04d}"
        for area in range(200, 1000)
    ]
    numbers += ["+12000000000", "+19999999999", "+14150000000", "+14151119999"]
    for number in numbers:
        assert phone(number) == _formatted(number), number
    # Not ten digits, or an area code starting with 0 or 1: the library's way, as it was.
    for odd in ["+10001234567", "+11234567890", "+1415206432", "+141520643221"]:
        library = phonenumbers.format_number(
            phonenumbers.parse(odd, None), phonenumbers.PhoneNumberFormat.NATIONAL
        )
        assert phone(odd) == library, odd
