"""Phone numbers: Moroccan by default, stored in E.164."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneMetadata

DEFAULT_REGION = "MA"

# Most numbers in a Moroccan member list are mobiles typed as "06 12 34 56 78",
# "0612345678" or "+212 6 12 34 56 78". Those are recognised here without the full
# parser, with the mobile pattern of phonenumbers' own metadata, so the result is the
# one phonenumbers gives (tests/members/test_phones.py compares them over many numbers);
# anything else goes through phonenumbers.
_SIMPLE_MA = re.compile(r"(?:0|\+212|00212)([67]\d{8})")
_SEPARATORS = str.maketrans("", "", " .-")
_MA_MOBILE = re.compile(
    PhoneMetadata.metadata_for_region("MA").mobile.national_number_pattern  # type: ignore[union-attr]
)


def normalise_phone(raw: str | None, region: str = DEFAULT_REGION) -> str | None:
    """'06 12 34 56 78' -> '+212612345678'; None when empty or not a valid number."""
    if not raw or not raw.strip() or len(raw) > 40:
        return None
    if region == DEFAULT_REGION:
        simple = _SIMPLE_MA.fullmatch(raw.translate(_SEPARATORS))
        if simple is not None and _MA_MOBILE.fullmatch(simple.group(1)):
            return "+212" + simple.group(1)
    return _parse(raw, region)


@lru_cache(maxsize=4096)
def _parse(raw: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str | None) -> str:
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
