"""The quick path for Moroccan mobiles gives exactly what phonenumbers gives."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from core import phones


def _reference(raw: str) -> str | None:
    """phonenumbers alone, as normalise_phone was before the quick path."""
    if not raw or not raw.strip() or len(raw) > 40:
        return None
    try:
        number = phonenumbers.parse(raw, "MA")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _forms(national: str) -> list[str]:
    """The ways people type one number (national: 9 digits without the leading 0)."""
    spaced = " ".join(national[i : i + 2] for i in range(1, 9, 2))
    return [
        "0" + national,
        f"0{national[0]} {spaced}",
        f"0{national[0]}.{spaced.replace(' ', '.')}",
        f"0{national[0]}-{spaced.replace(' ', '-')}",
        "+212" + national,
        f"+212 {national[0]} {spaced}",
        "00212" + national,
        f"00 212 {national}",
        f"+212 0{national}",  # the national 0 kept after the country code
        f"(+212) {national}",
        "212" + national,
        f" 0{national} ",
        "0" + national[:-1],  # one digit short
        "0" + national + "1",  # one digit too many
    ]


def test_every_two_digit_prefix_and_random_numbers_give_the_same_result():
    rng = random.Random(9)
    nationals = []
    for prefix in range(500, 900):  # 5xx to 8xx: fixed lines, mobiles, unassigned ranges
        for _ in range(6):
            nationals.append(f"{prefix}{rng.randrange(10**6):06d}")
    nationals += [f"{rng.choice('67')}{rng.randrange(10**8):08d}" for _ in range(3000)]
    checked = fast = 0
    for national in nationals:
        for raw in _forms(national):
            expected = _reference(raw)
            assert phones.normalise_phone(raw) == expected, raw
            checked += 1
            fast += (
                expected is not None
                and phones._SIMPLE_MA.fullmatch(raw.translate(phones._SEPARATORS)) is not None
            )
    assert checked > 70_000 and fast > 20_000  # the quick path was really taken, often


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "12", "0612345678" * 5, "٠٦١٢٣٤٥٦٧٨", "06 12 34 56 78 ext. 12", "+33 6 12 34 56 78",
     "06١2345678", "+212\u202e612345678", "0612345678\n", "abc", "+", "0800 00 00 00"],
)  # fmt: skip
def test_unusual_input_gives_the_same_result(raw):
    assert phones.normalise_phone(raw) == _reference(raw)
