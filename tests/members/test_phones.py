"""Phone numbers as members' lists type them become E.164, or None when not a number."""

from __future__ import annotations

import pytest

from core import phones


@pytest.mark.parametrize(
    "raw",
    ["0612345678", "06 12 34 56 78", "06.12.34.56.78", "06-12-34-56-78", "+212612345678",
     "+212 6 12 34 56 78", "00212612345678", "00 212 612345678", "(+212) 612345678",
     " 0612345678 ", "٠٦١٢٣٤٥٦٧٨"],
)  # fmt: skip
def test_the_usual_ways_of_typing_a_moroccan_mobile(raw):
    assert phones.normalise_phone(raw) == "+212612345678"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0536 60 12 34", "+212536601234"), ("+33 6 12 34 56 78", "+33612345678"),
     ("07 61 23 45 67", "+212761234567")],
)  # fmt: skip
def test_fixed_lines_and_foreign_numbers(raw, expected):
    assert phones.normalise_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "12", "061234567", "06123456789", "0612345678" * 5, "abc", "+",
     "06 12 34 56 78 ext. 12x", None],
)  # fmt: skip
def test_what_is_not_a_phone_number_gives_none(raw):
    assert phones.normalise_phone(raw) is None


def test_display_uses_the_international_format():
    assert phones.display_phone("+212612345678") == "+212 6 12 34 56 78"
    assert phones.display_phone("") == ""
