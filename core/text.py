"""Search keys: lower-cased, accent-free Latin and normalised Arabic.

The same function folds what is stored (Member.search_text) and what is typed in a
search box (members, the door), so that "benali", "Benali" and "BÉNALI" meet, and
"أحمد" finds "احمد".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Arabic short vowels, shadda, sukun, superscript alef, and the tatweel (kashida).
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ئ": "ي",
        "ؤ": "و",
        "ة": "ه",
        "ک": "ك",
        "ی": "ي",
        # Arabic-Indic and Eastern digits read as ASCII digits (phone numbers).
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},
    }
)
# Bidi controls (U+202A–U+202E, U+2066–U+2069, LRM/RLM) never belong in a search key.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """The search form of `text`: what both the stored key and the query are reduced to."""
    if not text:
        return ""
    if text.isascii():  # nothing to decompose or fold but the case and the spaces
        return _SPACES.sub(" ", text.lower()).strip()
    return _fold(text)


@lru_cache(maxsize=32768)  # names, companies and cities repeat in a member list
def _fold(text: str) -> str:
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch) or "\u0600" <= ch <= "\u06ff")
    text = _ARABIC_MARKS.sub("", text)
    text = unicodedata.normalize("NFC", text).translate(_ARABIC_FOLD).casefold()
    return _SPACES.sub(" ", text).strip()


def is_text(value: str) -> bool:
    """Whether `value` can be stored and sent: no lone surrogate (JSON's "\\ud800")."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# Bidi controls that open a state running to the end of the paragraph (embeddings and
# overrides, U+202A–U+202E) or of an isolate (U+2066–U+2069). In a name they would
# reverse or reorder the rest of a sentence, a table row or an email line. The marks
# LRM, RLM and ALM change nothing after them and stay.
_BIDI_STATE = re.compile("[\u202a-\u202e\u2066-\u2069]")
BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
)


def without_bidi_state(value):
    """`value` without the controls that reorder what follows it; what is not text
    (numbers, None) is returned as it is. Used on every value a template shows."""
    if isinstance(value, str) and _BIDI_STATE.search(value):
        # A Markup (a translated sentence with a name in it) stays Markup: the controls
        # are no HTML, so removing them cannot change what the markup means.
        return type(value)(_BIDI_STATE.sub("", value))
    return value


# «3، 1», «٣؛ ١», "3, 1", "3 1": Arabic and Latin commas and semicolons, spaces.
NUMBER_SEPARATORS = re.compile(r"[,;،؛\s]+")
# Arabic-Indic (٠-٩) and Eastern Arabic-Indic (۰-۹) digits, as Western digits.
WESTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def number_list(text: str | None) -> list[str]:
    """The items of a typed list of numbers, digits made Western; items that are not whole
    numbers are kept as typed, for the form to refuse them."""
    items = NUMBER_SEPARATORS.split((text or "").translate(WESTERN_DIGITS))
    return [item for item in items if item]


def is_whole_number(item: str) -> bool:
    return item.isascii() and item.isdigit()
