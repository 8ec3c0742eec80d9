"""CSV and XLSX exports, safe to open in a spreadsheet.

A cell that starts with =, +, -, @ (or a tab or carriage return) would be run as a
formula by Excel or LibreOffice; such cells get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response
from openpyxl import Workbook

from core import audit
from core.text import BIDI_CONTROLS
from extensions import db

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Bidi controls (LRE…RLO, LRI…PDI, LRM/RLM/ALM): in a cell they reorder what follows
# (an RLO shows the rest of the cell reversed); all of them are dropped (core.text).


def neutralise(value) -> object:
    if isinstance(value, str):
        value = value.translate(BIDI_CONTROLS)
        # A formula may hide behind spaces or a removed control: look at the first real
        # character.
        if value.lstrip(" ").startswith(FORMULA_STARTS) or value.startswith(FORMULA_STARTS):
            return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a BOM, so that Excel reads Arabic correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence], title: str = "Liqaa") -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Liqaa")
    sheet.append([neutralise(h) for h in header])
    for row in rows:
        sheet.append([neutralise(_plain(v)) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _plain(value):
    """openpyxl refuses aware datetimes; spreadsheets get naive UTC."""
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def render(header: Sequence[str], rows: Iterable[Sequence], fmt: str, title: str = "Liqaa"):
    """The export as bytes in `fmt` ("csv" or "xlsx")."""
    rows = list(rows)
    data = to_xlsx(header, rows, title=title) if fmt == "xlsx" else to_csv(header, rows)
    return Export(data, len(rows))


class Export(bytes):
    """An export's bytes, knowing how many rows it holds (for the audit log)."""

    def __new__(cls, data: bytes, rows: int):
        made = super().__new__(cls, data)
        made.rows = rows
        return made


def download(data: bytes, fmt: str, basename: str) -> Response:
    """A file download of an export made by `render` (or to_csv / to_xlsx); logged in the
    audit log (which export, its format and row count) and committed."""
    detail = {"file": f"{basename}.{fmt}", "rows": getattr(data, "rows", None)}
    audit.record("export", basename.split("-")[0][:40], detail=detail)
    db.session.commit()
    return Response(
        data,
        mimetype=MIMETYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{basename}.{fmt}"'},
    )
