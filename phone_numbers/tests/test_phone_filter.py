"""The ``phone`` template filter: numbers as people read them on every page."""

import pytest
from django.template import Context, Template

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
