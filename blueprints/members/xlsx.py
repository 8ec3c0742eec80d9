"""The first sheet of an .xlsx as the person who opens it in Excel sees it.

openpyxl's streaming (read-only) mode keeps memory flat but gives up what the screen
shows: merged cells, the format of dates, which cells hold formulas. So the sheet is
read here with openpyxl's own streaming parser (`WorkSheetParser`, as its read-only
worksheet uses it), which also collects the merged ranges at the end of the sheet:

- a formula cell gives the value Excel computed when the file was last saved (what
  the user sees) and its row is reported, so the preview can warn about it;
- a merged range gives its value to every cell it covers;
- a date is written as its cell's number format shows it (dd/mm/yyyy…);
- a number is written without a trailing ".0" (phones and ICE typed as numbers).

`budget` (reading.Budget) is charged for every row and cell and checked for time on
every read from the archive; anything openpyxl cannot make sense of raises, and
`reading` turns it into the user's message.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time

from openpyxl import load_workbook
from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.utils import range_boundaries
from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser


class _TimedBytes(io.BytesIO):
    """The archive's bytes; every read checks the clock (openpyxl reads as it parses)."""

    def __init__(self, data: bytes, budget):
        super().__init__(data)
        self.budget = budget

    def read(self, size: int | None = -1) -> bytes:
        self.budget.check_time()
        return super().read(size)


class _Parser(WorkSheetParser):
    """openpyxl's sheet parser, noting which rows hold a formula."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.formula_rows: set[int] = set()

    def parse_cell(self, element):
        cell = super().parse_cell(element)
        if element.find(FORMULA_TAG) is not None:
            self.formula_rows.add(cell["row"])
        return cell


def read(data: bytes, budget, max_columns: int):
    """(rows of text, their row numbers, rows with a formula), blank rows left out."""
    book = load_workbook(_TimedBytes(data, budget), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        with sheet._get_source() as source:
            parser = _Parser(
                source,
                sheet._shared_strings,
                data_only=True,
                epoch=book.epoch,
                date_formats=book._date_formats,
                timedelta_formats=book._timedelta_formats,
            )
            formats = _Formats(book)
            rows: dict[int, list[str]] = {}
            for number, cells in parser.parse():
                budget.spend(len(cells))
                values = [""] * min(max_columns, max((c["column"] for c in cells), default=0))
                for cell in cells:
                    if cell["column"] <= max_columns and cell["value"] is not None:
                        text = formats.text(cell["value"], cell["style_id"])
                        values[cell["column"] - 1] = text
                if any(values):
                    rows[number] = values
            _spread_merged(rows, parser.merged_cells, budget, max_columns)
    finally:
        book.close()
    numbers = sorted(n for n, values in rows.items() if any(values))
    formula_lines = sorted(n for n in parser.formula_rows if n in rows)
    return [rows[n] for n in numbers], numbers, formula_lines


def _spread_merged(rows: dict[int, list[str]], merged, budget, max_columns: int) -> None:
    """Each cell of a merged range shows the range's value (its top-left cell's)."""
    for merge in getattr(merged, "mergeCell", None) or []:
        min_col, min_row, max_col, max_row = range_boundaries(merge.ref)
        top = rows.get(min_row)
        if top is None or min_col > len(top) or not top[min_col - 1]:
            continue
        value = top[min_col - 1]
        max_col = min(max_col, max_columns)
        for number in range(min_row, max_row + 1):
            budget.spend(max_col - min_col + 1)
            row = rows.setdefault(number, [])
            row.extend([""] * (max_col - len(row)))
            for column in range(min_col, max_col + 1):
                row[column - 1] = row[column - 1] or value


class _Formats:
    """A cell's value as text, dates in the cell's own number format."""

    def __init__(self, book):
        self.styles = book._cell_styles
        self.custom = book._number_formats
        self.cache: dict[int, str] = {}

    def text(self, value, style_id: int) -> str:
        if isinstance(value, float):
            return str(int(value)) if value.is_integer() else f"{value:.15g}"
        if isinstance(value, datetime | date | time):
            return _date_text(value, self._format(style_id))
        return str(value).strip()

    def _format(self, style_id: int) -> str:
        if style_id not in self.cache:
            try:
                number_format = self.styles[style_id].numFmtId
            except (IndexError, TypeError):
                number_format = 0
            if number_format in BUILTIN_FORMATS:
                self.cache[style_id] = BUILTIN_FORMATS[number_format]
            else:
                index = number_format - 164
                self.cache[style_id] = self.custom[index] if 0 <= index < len(self.custom) else ""
        return self.cache[style_id]


_DATE_TOKEN = re.compile(r"yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|\"[^\"]*\"|\\.|.", re.I)
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _date_text(value, number_format: str) -> str:
    """A date, time or both as Excel shows it with `number_format` (its usual codes)."""
    fmt = re.sub(r"\[[^\]]*\]|;.*$|_.|\*.", "", number_format)  # locale tags, other sections
    tokens = _DATE_TOKEN.findall(fmt)
    if not any(t.lower()[0] in "ymd" for t in tokens if t[:1].isalpha()):
        if isinstance(value, datetime):
            return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    parts, after_hours = [], False
    for index, token in enumerate(tokens):
        low = token.lower()
        if low in ("m", "mm") and (after_hours or _seconds_follow(tokens[index + 1 :])):
            parts.append(f"{value.minute:0{len(low)}d}")
        elif low in ("yyyy", "yy"):
            parts.append(str(value.year) if low == "yyyy" else f"{value.year % 100:02d}")
        elif low in ("m", "mm"):
            parts.append(f"{value.month:0{len(low)}d}")
        elif low in ("mmm", "mmmm"):
            parts.append(_MONTHS[value.month - 1])
        elif low in ("d", "dd"):
            parts.append(f"{value.day:0{len(low)}d}")
        elif low in ("h", "hh", "s", "ss"):
            number = value.hour if low[0] == "h" else value.second
            parts.append(f"{number:0{len(low)}d}")
        elif low in ("ddd", "dddd"):
            continue  # the weekday's name: left out rather than guessed in a language
        else:
            parts.append(token.strip('"').lstrip("\\"))
        after_hours = low[0] == "h" or (after_hours and not low[:1].isalpha())
    return "".join(parts).strip()


def _seconds_follow(rest: list[str]) -> bool:
    """'mm' before ':ss' is minutes, not the month."""
    for later in rest:
        if later[:1].isalpha():
            return later.lower() in ("s", "ss")
    return False
