"""The ranges a person may type: a whole number is read as ASCII digits in range."""

import pytest

from offices.bounds import whole_number


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("0", 0),
        ("²", None),
        ("١٢", None),
        ("-1", None),
        ("", None),
        (None, None),
        ("9" * 40, None),
        (str(2**31), None),
        (str(2**31 - 1), 2**31 - 1),
    ],
)
def test_a_whole_number_is_ascii_digits_in_range(raw, value) -> None:
    assert whole_number(raw) == value
