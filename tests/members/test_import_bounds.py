"""Files that are broken, disguised or built to cost the server: each is refused with a
message in the user's language, within the time bound, and nothing is kept or written."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
import sqlalchemy as sa

from blueprints.members import importer, reading
from blueprints.members.models import Member, MemberImport
from extensions import db
from tests.members import corpus
from tests.members.test_import import _upload

ROW = b'<row><c t="inlineStr"><is><t>x</t></is></c><c t="inlineStr"><is><t>y</t></is></c></row>'


def _xlsx_with_sheet(rows: int, *, declared: int | None = None) -> bytes:
    """A real .xlsx whose sheet holds `rows` rows, streamed into the archive; with
    `declared`, the archive's directory lies that the sheet unpacks to that many bytes."""
    source = zipfile.ZipFile(io.BytesIO(corpus.xlsx_file("fr")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for item in source.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(item, source.read(item.filename))
                continue
            sheet = zipfile.ZipInfo(item.filename)
            sheet.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(sheet, "w", force_zip64=True) as target:
                target.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/'
                             b'spreadsheetml/2006/main"><sheetData>')  # fmt: skip
                block = ROW * 10_000
                for _ in range(rows // 10_000):
                    target.write(block)
                target.write(b"</sheetData></worksheet>")
            if declared is not None:
                sheet.file_size = declared  # what the directory written at close says
    return out.getvalue()


def test_an_archive_that_lies_about_its_size_is_refused_within_the_time_bound():
    lying = _xlsx_with_sheet(4_000_000, declared=2_000)  # ~360 MB of XML said to be 2 KB
    assert len(lying) < 5 * 1024 * 1024
    sizes = {i.filename: i.file_size for i in zipfile.ZipFile(io.BytesIO(lying)).infolist()}
    assert sizes["xl/worksheets/sheet1.xml"] == 2_000  # passes the declared-size bound
    started = time.monotonic()
    with pytest.raises(importer.ImportError_):
        importer.read_table(lying, "liste.xlsx")
    assert time.monotonic() - started < reading.READ_SECONDS + 2


def test_too_many_cells_are_refused(monkeypatch):
    monkeypatch.setattr(reading, "MAX_CELLS", 50_000)
    monkeypatch.setattr(reading, "READ_SECONDS", 120.0)  # the cell bound, not the clock
    with pytest.raises(importer.ImportError_, match="2,000,000 cells"):
        importer.read_table(_xlsx_with_sheet(40_000), "liste.xlsx")


def test_reading_that_takes_too_long_is_stopped(monkeypatch):
    monkeypatch.setattr(reading, "READ_SECONDS", 0.05)
    started = time.monotonic()
    with pytest.raises(importer.ImportError_, match="took too long"):
        importer.read_table(_xlsx_with_sheet(90_000), "liste.xlsx")
    assert time.monotonic() - started < 2


def _truncated_xlsx() -> bytes:
    data = corpus.xlsx_file("fr")
    return data[: len(data) // 2]


def _zip(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def _ods() -> bytes:
    return _zip(
        {"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"}
    )


def _docx_renamed() -> bytes:
    return _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BROKEN = [
    ("truncated.xlsx", _truncated_xlsx, "pas un fichier Excel (.xlsx) valide"),
    ("corrupt.xlsx", lambda: b"PK\x03\x04" + bytes(range(256)) * 40, "pas un fichier Excel"),
    ("word.xlsx", _docx_renamed, "pas un fichier Excel (.xlsx) valide"),
    ("old.xls", lambda: OLE + b"\x00" * 300, "(.xls)"),
    ("truncated.xls", lambda: OLE[:6], "(.xls)"),
    ("sheet.ods", _ods, "OpenDocument (.ods)"),
    ("sheet-renamed.xlsx", _ods, "OpenDocument (.ods)"),
    ("nul.csv", lambda: "Nom;Téléphone\nKarim\x00;0612345678\n".encode(), "caractères NUL"),
    ("nul-long.csv", lambda: corpus.csv_file("fr", "utf-8") + b"Ali\x00;;;;;\n", "caractères NUL"),
    ("photo.csv", lambda: b"%PDF-1.4\n" + bytes(range(256)) * 60, "pas un fichier CSV"),
    ("text.xlsx", lambda: b"Nom;Telephone\nKarim;0612345678\n", "pas un fichier Excel"),
]


@pytest.mark.parametrize(("filename", "build", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_or_disguised_file_gets_a_message_and_nothing_is_kept(
    as_organiser, filename, build, message
):
    response = _upload(as_organiser, build(), filename)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(MemberImport.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Member.id))) == 0


def test_an_excel_file_named_csv_is_read_for_what_it_is(as_organiser):
    response = _upload(as_organiser, corpus.xlsx_file("ar"), "liste.csv")
    assert response.status_code == 302
