"""Imports of member lists as they arrive: encodings, Arabic headers, messy rows, limits."""

from __future__ import annotations

import io
import os

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from blueprints.members import importer, reading
from blueprints.members.models import Member, MemberImport
from blueprints.members.services import MemberData, create_member
from extensions import db
from tests.conftest import csrf_token_from

ARABIC_CSV = (
    "الاسم;الهاتف;البريد الإلكتروني;المدينة;القطاع;ملاحظات\n"
    "أحمد بنعلي;06 12 34 56 78;ahmed@example.ma;الناظور;البناء;\n"
    "\n"
    "فاطمة الزهراء;0661-00-11-22;;وجدة;النسيج;زبونة قديمة\n"
    ";0700000000;nobody@example.ma;;;\n"
    "كريم;06 12 34 56 78;karim@example.ma;;;\n"
    "سمير;12;bad-email;;;\n"
)


def _upload(client, data: bytes, filename: str):
    html = client.get("/members/import").get_data(as_text=True)
    return client.post(
        "/members/import",
        data={"csrf_token": csrf_token_from(html), "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Member.id)))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1256"])
def test_arabic_file_in_every_encoding_is_read_and_mapped(encoding):
    table = importer.read_table(ARABIC_CSV.encode(encoding), "liste.csv")
    assert table.header[0] == "الاسم"
    assert table.delimiter == ";"
    assert len(table.rows) == 5  # the blank row is gone
    mapping = importer.guess_mapping(table.header)
    assert mapping == {
        "0": "full_name",
        "1": "phone",
        "2": "email",
        "3": "city",
        "4": "trade",
        "5": "notes",
    }
    results = list(importer.analyse(table, mapping, existing={}))
    assert [r.status for r in results] == ["new", "new", "invalid", "duplicate", "invalid"]
    assert results[0].values["phone"] == "+212612345678"
    assert results[0].values["locale"] == "ar"
    assert results[1].values["phone"] == "+212661001122"
    assert "line 2" in str(results[3].problems[0])
    problems = " ".join(str(p) for p in results[4].problems)
    assert "email" in problems and "phone" in problems


def test_french_windows_1252_file_with_tabs_and_extra_columns():
    text = (
        "Nom\tPrénom\tTéléphone\tSociété\tColonne inconnue\tCatégorie\n"
        "Benali\tÉlodie\t+212 6 61 23 45 67\tAtlas Bâtiment\tzzz\tpartenaire\n"
    )
    table = importer.read_table(text.encode("cp1252"), "export.csv")
    assert table.encoding == "cp1252" and table.delimiter == "\t"
    mapping = importer.guess_mapping(table.header)
    assert mapping == {
        "0": "last_name",  # "Nom" beside "Prénom" is the last name
        "1": "first_name",
        "2": "phone",
        "3": "company",
        "5": "category",
    }
    (row,) = importer.analyse(table, mapping, existing={})
    assert row.values["full_name"] == "Élodie Benali"  # first name, then last name
    assert row.values["company"] == "Atlas Bâtiment"
    assert row.values["category"] == "partner" and row.values["locale"] == "fr"


def test_english_comma_file_with_missing_columns_and_formula_cells():
    text = 'Name,Phone,Email\n"=HYPERLINK(""http://evil.example"",""win"")",0612345678\nJane,,jane@example.com,extra,cells\n'
    table = importer.read_table(text.encode(), "list.csv")
    mapping = importer.guess_mapping(table.header)
    first, second = importer.analyse(table, mapping, existing={})
    assert first.status == "new"
    assert first.values["full_name"].startswith("=HYPERLINK(")  # kept as text; exports neutralise
    assert second.values["email"] == "jane@example.com" and second.values["phone"] is None


def test_xlsx_with_numbers_as_phones_and_arabic_headers():
    book = Workbook()
    sheet = book.active
    sheet.append(["الاسم", "رقم الهاتف", "الفئة", "الوسوم"])
    sheet.append(["نادية", 612345678, "مسؤول", "CNSS، الناظور"])
    sheet.append([None, None, None, None])
    sheet.append(["Omar", "0661234567", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    table = importer.read_table(buffer.getvalue(), "membres.xlsx")
    assert table.encoding == "xlsx" and len(table.rows) == 2
    mapping = importer.guess_mapping(table.header)
    first, second = importer.analyse(table, mapping, existing={})
    assert first.values["phone"] == "+212612345678"
    assert first.values["category"] == "official"
    assert first.values["tags"] == ["CNSS", "الناظور"]
    assert second.values["locale"] == "fr"


def test_files_too_large_binary_or_fake_excel_are_refused(tmp_path):
    big = b"Nom;Telephone\n" + b"x" * (25 * 1024 * 1024)
    with pytest.raises(importer.ImportError_, match="20 MB"):
        importer.read_table(big, "big.csv")
    with pytest.raises(importer.ImportError_, match="not a CSV"):
        importer.read_table(os.urandom(50_000), "photo.csv")
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 50
    with pytest.raises(importer.ImportError_):
        importer.read_table(png, "image.csv")
    with pytest.raises(importer.ImportError_, match="Excel"):
        importer.read_table(b"PK\x03\x04broken zip", "list.xlsx")
    with pytest.raises(importer.ImportError_, match="empty"):
        importer.read_table(b"\n\n  \n", "empty.csv")


def test_too_many_rows_are_refused():
    data = ("Name\n" + "a\n" * (importer.MAX_ROWS + 2)).encode()
    with pytest.raises(importer.ImportError_, match="100,000"):
        importer.read_table(data, "many.csv")


def test_web_import_writes_nothing_until_confirmed_then_all_at_once(as_organiser, org):
    known = create_member(org.id, MemberData(full_name="كريم القديم", phone="0612345678"))
    db.session.commit()
    response = _upload(as_organiser, ARABIC_CSV.encode("cp1256"), "arabic-excel.csv")
    assert response.status_code == 302
    preview = as_organiser.get(response.headers["Location"])
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "أحمد بنعلي" in html and "cp1256" in html
    assert _count() == 1  # nothing written yet

    upload = db.session.scalar(sa.select(MemberImport))
    token = csrf_token_from(html)
    # the organiser must confirm consent
    as_organiser.post(f"/members/import/{upload.id}/confirm", data={"csrf_token": token})
    assert _count() == 1
    done = as_organiser.post(
        f"/members/import/{upload.id}/confirm",
        data={"csrf_token": token, "confirm-consent": "y", "confirm-update_existing": "y"},
    )
    assert done.status_code == 302
    db.session.expire_all()
    names = set(db.session.scalars(sa.select(Member.full_name)))
    # Ahmed's phone belongs to the known member: updated, not duplicated
    assert names == {"أحمد بنعلي", "فاطمة الزهراء"}
    assert db.session.get(Member, known.id).email == "ahmed@example.ma"
    member = db.session.scalar(sa.select(Member).where(Member.full_name == "فاطمة الزهراء"))
    assert member.city == "وجدة" and member.consent_at is not None
    assert "فاطمه" in member.search_text  # ta marbuta folded for search
    # a second confirmation does nothing
    again = as_organiser.post(
        f"/members/import/{upload.id}/confirm",
        data={"csrf_token": token, "confirm-consent": "y"},
    )
    assert again.status_code == 302 and _count() == 2


def test_web_import_mapping_can_be_corrected(as_organiser):
    data = b"Col A;Col B\nSara;0612345678\n"
    location = _upload(as_organiser, data, "plain.csv").headers["Location"]
    html = as_organiser.get(location).get_data(as_text=True)
    assert "Indiquez la colonne qui contient les noms" in html
    token = csrf_token_from(html)
    as_organiser.post(
        location, data={"csrf_token": token, "map-columns-0": "full_name", "map-columns-1": "phone"}
    )
    html = as_organiser.get(location).get_data(as_text=True)
    assert "Sara" in html and "+212\u00a06\u00a012\u00a034\u00a056\u00a078" in html


def test_web_upload_refuses_binary_with_a_clear_message(as_organiser):
    response = _upload(as_organiser, os.urandom(20_000), "members.csv")
    assert response.status_code == 200
    assert "pas un fichier CSV ou Excel" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(MemberImport.id))) == 0


def test_cli_import_dry_run_then_real(app, org, tmp_path):
    path = tmp_path / "liste.csv"
    path.write_bytes(ARABIC_CSV.encode("utf-16"))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["members", "import", str(path), "--org", org.slug, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "new: 2" in dry.output and "with errors: 2" in dry.output and "line 7" in dry.output
    assert _count() == 0
    unasked = runner.invoke(args=["members", "import", str(path), "--org", org.slug])
    assert unasked.exit_code != 0 and "--consent" in unasked.output  # law 09-08: say how
    assert _count() == 0
    consent = ["--consent", "membership form 2018"]
    real = runner.invoke(args=["members", "import", str(path), "--org", org.slug, *consent])
    assert real.exit_code == 0, real.output
    assert "created: 2" in real.output
    assert _count() == 2
    sources = set(db.session.scalars(sa.select(Member.consent_source)))
    assert sources == {"membership form 2018 (import of liste.csv)"}
    again = runner.invoke(args=["members", "import", str(path), "--org", org.slug, *consent])
    assert "created: 0" in again.output and "skipped: 3" in again.output
    bad = runner.invoke(args=["members", "import", str(path), "--org", "nope"])
    assert bad.exit_code != 0


def test_commas_inside_quotes_do_not_fool_the_separator():
    text = 'Nom;Entreprise;Email\n"Benali, Karim";"Atlas, Bâtiment & Co";k@example.ma\n'
    table = importer.read_table(text.encode("utf-8"), "liste.csv")
    assert table.delimiter == ";"
    assert table.rows == [["Benali, Karim", "Atlas, Bâtiment & Co", "k@example.ma"]]


@pytest.mark.parametrize(
    ("email", "valid"),
    [("karim@example.ma", True), ("a..b@example.ma", False), ("karim@example", False),
     ("karim@-example.ma", False), ("كريم@example.ma", True)],
)  # fmt: skip
def test_emails_are_checked_as_the_forms_check_them(email, valid):
    result = importer.check_row({"full_name": "Karim", "email": email}, line=2)
    assert (result.status != importer.INVALID) is valid, result.problems


def test_a_zip_bomb_is_refused_before_it_is_parsed(monkeypatch):
    """A small .xlsx whose archive unpacks past the bound: refused at once, clearly."""
    import time
    import zipfile as zf

    monkeypatch.setattr(reading, "MAX_UNPACKED", 8 * 1024 * 1024)  # keep the test quick
    buffer = io.BytesIO()
    with zf.ZipFile(buffer, "w", zf.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<c>0</c>" * (2 * 1024 * 1024))
    bomb = buffer.getvalue()
    assert len(bomb) < 200_000  # small on the wire
    started = time.monotonic()
    with pytest.raises(importer.ImportError_, match="unpacks to more than 8 MB"):
        importer.read_table(bomb, "liste.xlsx")
    assert time.monotonic() - started < 1


def test_a_corrupt_xlsx_is_refused_with_a_message():
    with pytest.raises(importer.ImportError_, match="not a valid Excel"):
        importer.read_table(b"PK\x03\x04" + b"\x00" * 200, "liste.xlsx")
