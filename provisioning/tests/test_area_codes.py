"""The one area-code rule every form and service uses."""

import pytest

from provisioning.area_codes import AreaCodeError, area_codes_parse

WIDE_212 = "\uff12\uff11\uff12"  # full-width digits: \d would take them, the carriers would not


@pytest.mark.parametrize(
    ("value", "codes"),
    [
        ("212, 646 917;415", ["212", "646", "917", "415"]),
        (" 999 ", ["999"]),
        (["000", "998"], ["000", "998"]),
        ("201 202 203 204 205", ["201", "202", "203", "204", "205"]),
    ],
)
def test_area_codes_are_read_in_the_order_given(value, codes) -> None:
    assert area_codes_parse(value) == codes


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Enter at least one area code."),
        ([], "Enter at least one area code."),
        ("21, 2125", "“21, 2125” is not an area code; enter 3 digits, e.g. 212."),
        (WIDE_212, f"“{WIDE_212}” is not an area code; enter 3 digits, e.g. 212."),
        ("212 646 212 646", "Give each area code once; repeated: 212, 646."),
        ("201 202 203 204 205 206", "Give at most 5 area codes."),
    ],
)
def test_bad_area_codes_get_one_message(value, message) -> None:
    with pytest.raises(AreaCodeError) as caught:
        area_codes_parse(value)
    assert str(caught.value) == message
