"""A member's search key, built from the folded forms of its fields (core.text.fold)."""

from __future__ import annotations

import re

from core.text import fold


def phone_variants(e164: str | None) -> str:
    """'+212612345678' -> '+212612345678 212612345678 0612345678': any way it is typed."""
    if not e164:
        return ""
    variants = [e164, e164.lstrip("+")]
    if e164.startswith("+212"):
        variants.append("0" + e164[4:])
    return " ".join(variants)


def search_text_for(
    full_name: str,
    company: str = "",
    email: str | None = "",
    phone: str | None = "",
    city: str = "",
) -> str:
    parts = [
        fold(full_name),
        fold(company),
        (email or "").lower(),
        phone_variants(phone),
        fold(city),
    ]
    return " ".join(p for p in parts if p)[:4000]


def query_terms(query: str) -> list[str]:
    """The folded words of a search query, each matched as a substring (AND)."""
    folded = fold(query[:200])
    if re.fullmatch(r"[\d\s+.\-()]+", folded):  # a phone number typed with spaces or dots
        digits = re.sub(r"[\s.\-()]", "", folded)
        return [digits] if digits else []
    terms = []
    for word in folded.split(" ")[:8]:
        digits = re.sub(r"[\s.\-()]", "", word)
        terms.append(digits if digits.lstrip("+").isdigit() else word)
    return [t for t in terms if t]
