"""CSV and XLSX exports, safe to open in a spreadsheet.

A cell that starts with =, +, -, @ (or a tab or carriage return) would be run as a
formula by Excel or LibreOffice; such cells get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence

from flask import Response, stream_with_context
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


CHUNK = 64 * 1024  # bytes sent at a time by a streamed export


def stream_csv(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[bytes]:
    """to_csv piece by piece: the rows are read as the download goes, never all held.

    The header line leaves on its own before the first row is asked for, so the browser
    starts the download at once, while the query behind `rows` (which may have to sort
    100,000 rows before giving the first) runs."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([neutralise(h) for h in header])
    yield buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def stream_xlsx(header: Sequence[str], rows: Iterable[Sequence], title: str) -> Iterator[bytes]:
    """An XLSX workbook in bounded memory: openpyxl's write-only mode keeps each row in a temporary
    file, and the finished workbook is sent from disk. A zip is only complete at its end,
    so the first byte comes once every row is written."""
    with tempfile.TemporaryFile() as spool:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=title[:31] or "Liqaa")
        sheet.append([neutralise(h) for h in header])
        for row in rows:
            sheet.append([neutralise(_plain(v)) for v in row])
        workbook.save(spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK):
            yield chunk


def to_csv(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a BOM, so that Excel reads Arabic correctly."""
    return b"".join(stream_csv(header, rows))


def send(
    header: Sequence[str], rows: Iterable[Sequence], fmt: str, basename: str, title: str = "Liqaa"
) -> Response:
    """The export as a streamed download: the query behind `rows` runs while it is sent
    (give it yield_per), so neither the rows nor the file are held whole in memory. The
    audit log gets which export and how many rows once the download ends (marked
    interrupted when the client went away first)."""
    sent = [0]

    def counted() -> Iterator[Sequence]:
        for row in rows:
            sent[0] += 1
            yield row

    chunks = (
        stream_xlsx(header, counted(), title) if fmt == "xlsx" else stream_csv(header, counted())
    )
    return Response(
        stream_with_context(_logged(chunks, sent, basename, f"{basename}.{fmt}")),
        mimetype=MIMETYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{basename}.{fmt}"'},
    )


def _logged(chunks: Iterator[bytes], sent: list[int], basename: str, file: str) -> Iterator[bytes]:
    complete = False
    try:
        yield from chunks
        complete = True
    finally:
        detail = {"file": file, "rows": sent[0]}
        if not complete:
            detail["interrupted"] = True
        audit.record("export", basename.split("-")[0][:40], detail=detail)
        db.session.commit()


def _plain(value):
    """openpyxl refuses aware datetimes; spreadsheets get naive UTC."""
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
