"""Form fields for numbers as people type them in Morocco.

A browser's <input type="number"> silently drops Arabic-Indic (٠-٩) and Persian (۰-۹)
digits, so these fields are text inputs with the numeric keypad (inputmode), written left
to right, and the server reads the digits: «٢٤», «۲۴» and "24" are all 24, «١ ٠٠٠» and
"1 000" (grouped with a space, a no-break space or «٬») are 1000, and «٣٫٥» and "3,5" are 3.5.
"""

from __future__ import annotations

import re

from wtforms import DecimalField, IntegerField
from wtforms.widgets import TextInput

from core.text import WESTERN_DIGITS

# What may group the thousands: spaces (ordinary, no-break, narrow, thin) and «٬».
_GROUPING = re.compile("[\\s\u00a0\u202f\u2009\u066c]")


def typed_number(text: str, decimal: bool = False) -> str:
    """`text` as Python reads a number: Western digits, no grouping; with `decimal`, «٫» or
    a lone comma as the decimal point."""
    text = _GROUPING.sub("", text.translate(WESTERN_DIGITS))
    if decimal:
        text = text.replace("\u066b", ".")
        if "," in text and "." not in text and text.count(",") == 1:
            text = text.replace(",", ".")
    return text


class _TypedNumber:
    widget = TextInput()
    decimal = False

    def __call__(self, **kwargs):
        kwargs.setdefault("inputmode", "decimal" if self.decimal else "numeric")
        kwargs.setdefault("dir", "ltr")
        kwargs.setdefault("autocomplete", "off")
        return super().__call__(**kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [typed_number(valuelist[0], self.decimal), *valuelist[1:]]
        super().process_formdata(valuelist)


class WholeNumberField(_TypedNumber, IntegerField):
    """A whole number (capacity, companions, hours, days, months)."""


class NumberField(_TypedNumber, DecimalField):
    """A number that may have decimals (a number question of the RSVP form)."""

    decimal = True
