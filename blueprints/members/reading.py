"""Reading a member list's bytes into rows of text: CSV in the usual encodings, or the
first sheet of an .xlsx, within bounds that keep a hostile file from costing the server
more than a member list would.

Nothing here knows what the columns mean; `importer` finds the header and maps it.

Bounds, each refused with a message in the user's language: the upload's size, what an
archive unpacks to (in all and per file: the sizes it declares are also the most the
zip reader will unpack, so an archive that lies fails its checksum instead), rows,
cells, and the time spent reading (an .xlsx is parsed while it is read, so the clock is
checked on every read from the archive as well as every 1,000 rows).
"""

from __future__ import annotations

import csv
import io
import time
import zipfile
from dataclasses import dataclass, field

import charset_normalizer
from flask_babel import lazy_gettext as _l

from blueprints.members import xlsx

MAX_BYTES = 20 * 1024 * 1024
# An .xlsx is a zip archive: a few kilobytes can unpack to gigabytes (a "zip bomb"). What
# the archive says it unpacks to is checked before anything is parsed.
MAX_UNPACKED = 200 * 1024 * 1024
# openpyxl keeps every shared string in memory (the sheet itself is streamed).
MAX_SHARED_STRINGS = 60 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 2_000
# What a file that is not UTF-8 may be: the code pages Excel uses in Morocco, or UTF-16.
LEGACY_CODECS = ["cp1256", "cp1252", "utf_16_le", "utf_16_be"]
DETECT_BYTES = 200_000
MAX_ROWS = 100_000
HEADER_SEARCH_ROWS = 10  # the header may come after a title and blank rows
MAX_CELLS = 2_000_000  # every cell read, those of ignored columns too
MAX_COLUMNS = 60
READ_SECONDS = 8.0

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and .doc)
NOT_XLSX = _l("This is not a valid Excel (.xlsx) file.")
TOO_MANY_ROWS = _l("The file has more than 100,000 rows. Split it into smaller files.")
TOO_MANY_CELLS = _l(
    "The file has more than 2,000,000 cells. Keep only the columns of the member list, "
    "or split it, and try again."
)
TOO_SLOW = _l(
    "Reading the file took too long. Save it as CSV, or split it into smaller files, and try again."
)


class ImportError_(Exception):  # noqa: N801 - "ImportError" is Python's own
    """The file cannot be read as a member list; the message says why, translated."""


@dataclass
class Sheet:
    """The non-blank rows of a file as text, title and header rows included."""

    rows: list[list[str]]
    lines: list[int]  # each row's line (or spreadsheet row) number
    encoding: str = ""
    delimiter: str = ""
    formula_lines: list[int] = field(default_factory=list)  # rows holding a formula


class Budget:
    """What is left of the time and cells a file may cost; refuses once spent."""

    def __init__(self, seconds: float | None = None):
        self.until = time.monotonic() + (READ_SECONDS if seconds is None else seconds)
        self.cells = 0
        self.rows = 0

    def check_time(self) -> None:
        if time.monotonic() > self.until:
            raise ImportError_(TOO_SLOW)

    def spend(self, cells: int) -> None:
        self.rows += 1
        self.cells += cells
        if self.cells > MAX_CELLS:
            raise ImportError_(TOO_MANY_CELLS)
        if self.rows > MAX_ROWS + HEADER_SEARCH_ROWS:
            raise ImportError_(TOO_MANY_ROWS)
        if self.rows % 1000 == 0:
            self.check_time()


def read_sheet(data: bytes, filename: str = "", budget: Budget | None = None) -> Sheet:
    """The file's rows; what it holds decides how it is read, not its name."""
    budget = budget or Budget()
    if len(data) > MAX_BYTES:
        raise ImportError_(_l("The file is larger than 20 MB. Split it into smaller files."))
    if not data.strip():
        raise ImportError_(_l("The file is empty."))
    name = filename.lower()
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(_checked_archive(data), budget)
    if data[:8] == OLE_MAGIC or name.endswith(".xls"):
        raise ImportError_(_l("Old Excel (.xls) files cannot be read: save it as .xlsx or CSV."))
    if name.endswith((".xlsx", ".xlsm")):
        raise ImportError_(NOT_XLSX)
    if name.endswith(".ods"):
        raise ImportError_(_ODS)
    text, encoding = decode(data)
    return _read_csv(text, encoding, budget)


_NUL = _l(
    "The file contains NUL characters, which a CSV file cannot hold. Save it again from "
    "your spreadsheet as CSV or .xlsx."
)
_ODS = _l("OpenDocument (.ods) files cannot be read: save it as .xlsx or CSV.")


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: BOMs first, then UTF-8, then the Windows code pages."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _checked(data[3:].decode("utf-8", errors="replace")), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _checked(data.decode("utf-16", errors="replace")), "utf-16"
    if _stray_nuls(data):
        decode(data.replace(b"\x00", b""))  # binary is refused as such, text for its NULs
        raise ImportError_(_NUL)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if not _unreadable(text):  # (Arabic in UTF-16 without a BOM is "valid" UTF-8 too)
            return _checked(text), "utf-8"
    # Not UTF-8: what Excel and Windows save. charset-normalizer tells the Arabic code page
    # from the Western one (and finds UTF-16 without a BOM).
    found = charset_normalizer.from_bytes(data[:DETECT_BYTES], cp_isolation=LEGACY_CODECS).best()
    codec = found.encoding if found is not None else "cp1252"
    return _checked(data.decode(codec, errors="replace")), codec


def _stray_nuls(data: bytes) -> bool:
    """NUL bytes that are not UTF-16's (which all fall on the same side of each pair)."""
    count = data.count(b"\x00")
    if not count:
        return False
    even = data[0::2].count(b"\x00")
    return count < 8 or min(even, count - even) > count // 10


def _unreadable(text: str) -> bool:
    """Control characters or replacement marks in more than 2 % of the text."""
    sample = text[:20000]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\r\n")
    bad = controls + sample.count("\ufffd")
    return bool(sample) and bad / len(sample) > 0.02


def _checked(text: str) -> str:
    """Refuse what is not text (a photo or a program renamed .csv), and NUL characters,
    which no database column holds and no spreadsheet saves in a CSV."""
    if _unreadable(text):
        raise ImportError_(_l("This file is not a CSV or Excel file that can be read."))
    if "\x00" in text:
        raise ImportError_(_NUL)
    return text


def _read_csv(text: str, encoding: str, budget: Budget) -> Sheet:
    text = text.lstrip("\ufeff")
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, lines = [], []
    line = 1
    try:
        for row in reader:
            budget.spend(len(row))
            if any(cell.strip() for cell in row):
                rows.append([cell.strip() for cell in row[:MAX_COLUMNS]])
                lines.append(line)
            line = reader.line_num + 1
    except csv.Error as error:
        raise ImportError_(_l("The file could not be read as CSV.")) from error
    if not rows:
        raise ImportError_(_l("The file is empty."))
    return Sheet(rows, lines, encoding, delimiter)


def _read_xlsx(data: bytes, budget: Budget) -> Sheet:
    try:
        rows, lines, formula_lines = xlsx.read(data, budget, MAX_COLUMNS)
    except ImportError_:
        raise
    except Exception as error:  # whatever a broken archive makes openpyxl raise
        raise ImportError_(NOT_XLSX) from error
    if not rows:
        raise ImportError_(_l("The file is empty."))
    return Sheet(rows, lines, "xlsx", "", formula_lines)


def _delimiter(text: str) -> str:
    """The separator of the first lines: ',', ';' (Excel in French) or a tab."""
    sample = "\n".join(text[:65536].splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:  # one column, or nothing the sniffer can tell: a comma
        return ","


def _checked_archive(data: bytes) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise ImportError_(NOT_XLSX) from error
    names = {member.filename for member in members}
    if "mimetype" in names and "content.xml" in names:
        raise ImportError_(_ODS)
    unpacked = sum(member.file_size for member in members)
    shared = sum(m.file_size for m in members if m.filename.endswith("sharedStrings.xml"))
    if len(members) > MAX_ARCHIVE_MEMBERS or unpacked > MAX_UNPACKED or shared > MAX_SHARED_STRINGS:
        raise ImportError_(
            _l(
                "This Excel file unpacks to more than %(mb)s MB, which no member list needs. "
                "Save it again from Excel (or as CSV) and try once more.",
                mb=MAX_UNPACKED // (1024 * 1024),
            )
        )
    return data
