"""Reading a member list's bytes into rows of text: CSV in the usual encodings, or the
first sheet of an .xlsx, within bounds that keep a hostile file from costing the server
more than a member list would.

Nothing here knows what the columns mean; `importer` maps and checks them.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

import charset_normalizer
from flask_babel import lazy_gettext as _l

MAX_BYTES = 20 * 1024 * 1024
# An .xlsx is a zip archive: a few kilobytes can unpack to gigabytes (a "zip bomb"). What
# the archive says it unpacks to is checked before anything is parsed.
MAX_UNPACKED = 200 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 2_000
# What a file that is not UTF-8 may be: the code pages Excel uses in Morocco, or UTF-16.
LEGACY_CODECS = ["cp1256", "cp1252", "utf_16_le", "utf_16_be"]
DETECT_BYTES = 200_000
MAX_ROWS = 200_000
MAX_COLUMNS = 60


class ImportError_(Exception):  # noqa: N801 - "ImportError" is Python's own
    """The file cannot be read as a member list; the message says why, translated."""


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]  # data rows, blank ones removed
    lines: list[int]  # each row's line (or spreadsheet row) number
    encoding: str = ""
    delimiter: str = ""


def read_table(data: bytes, filename: str = "") -> Table:
    if len(data) > MAX_BYTES:
        raise ImportError_(_l("The file is larger than 20 MB. Split it into smaller files."))
    if not data.strip():
        raise ImportError_(_l("The file is empty."))
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise ImportError_(_l("This is not a valid Excel (.xlsx) file."))
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportError_(_l("Old Excel (.xls) files cannot be read: save it as .xlsx or CSV."))
    text, encoding = decode(data)
    return _read_csv(text, encoding)


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: BOMs first, then UTF-8, then the Windows code pages."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _checked(data[3:].decode("utf-8", errors="replace")), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _checked(data.decode("utf-16", errors="replace")), "utf-16"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if not _unreadable(text):  # (Arabic in UTF-16 without a BOM is "valid" UTF-8 too)
            return text, "utf-8"
    # Not UTF-8: what Excel and Windows save. charset-normalizer tells the Arabic code page
    # from the Western one (and finds UTF-16 without a BOM).
    found = charset_normalizer.from_bytes(data[:DETECT_BYTES], cp_isolation=LEGACY_CODECS).best()
    codec = found.encoding if found is not None else "cp1252"
    return _checked(data.decode(codec, errors="replace")), codec


def _unreadable(text: str) -> bool:
    """Control characters or replacement marks in more than 2 % of the text."""
    sample = text[:20000]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\r\n")
    bad = controls + sample.count("\ufffd")
    return bool(sample) and bad / len(sample) > 0.02


def _checked(text: str) -> str:
    """Refuse what is not text (a photo or a program renamed .csv)."""
    if _unreadable(text):
        raise ImportError_(_l("This file is not a CSV or Excel file that can be read."))
    return text


def _read_csv(text: str, encoding: str) -> Table:
    text = text.lstrip("\ufeff")
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows, lines = [], []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip() for cell in row][:MAX_COLUMNS]
                continue
            rows.append([cell.strip() for cell in row[:MAX_COLUMNS]])
            lines.append(reader.line_num)
            if len(rows) > MAX_ROWS:
                raise ImportError_(_l("The file has more than 200,000 rows. Split it."))
    except csv.Error as error:
        raise ImportError_(_l("The file could not be read as CSV.")) from error
    if header is None:
        raise ImportError_(_l("The file is empty."))
    return Table(header, rows, lines, encoding, delimiter)


def _delimiter(text: str) -> str:
    """The separator of the first lines: ',', ';' (Excel in French) or a tab."""
    sample = "\n".join(text[:65536].splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:  # one column, or nothing the sniffer can tell: a comma
        return ","


def _check_archive(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ImportError_(_l("This is not a valid Excel (.xlsx) file.")) from error
    unpacked = sum(member.file_size for member in members)
    if len(members) > MAX_ARCHIVE_MEMBERS or unpacked > MAX_UNPACKED:
        raise ImportError_(
            _l(
                "This Excel file unpacks to more than %(mb)s MB, which no member list needs. "
                "Save it again from Excel (or as CSV) and try once more.",
                mb=MAX_UNPACKED // (1024 * 1024),
            )
        )


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    _check_archive(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ImportError_(_l("This is not a valid Excel (.xlsx) file.")) from error
    try:
        sheet = book.worksheets[0]
        header: list[str] | None = None
        rows, lines = [], []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in values[:MAX_COLUMNS]]
            if not any(cells):
                continue
            if header is None:
                header = cells
                continue
            rows.append(cells)
            lines.append(number)
            if len(rows) > MAX_ROWS:
                raise ImportError_(_l("The file has more than 200,000 rows. Split it."))
    finally:
        book.close()
    if header is None:
        raise ImportError_(_l("The file is empty."))
    return Table(header, rows, lines, "xlsx", "")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # phone numbers and ICE typed as numbers
    return str(value).strip()
