"""Phone numbers: Moroccan by default, stored in E.164."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

DEFAULT_REGION = "MA"


def normalise_phone(raw: str | None, region: str = DEFAULT_REGION) -> str | None:
    """'06 12 34 56 78' -> '+212612345678'; None when empty or not a valid number."""
    if not raw or not raw.strip() or len(raw) > 40:
        return None
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
