"""The hostile corpus: each file, imported through the web pages, gives exactly the members a
person reading the sheet would write down."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from blueprints.members import importer, imports
from blueprints.members.models import Member, MemberImport
from extensions import db
from tests.conftest import csrf_token_from
from tests.members import corpus
from tests.members.test_import import _upload


@pytest.mark.parametrize(("name", "lang", "build"), corpus.FILES, ids=[f[0] for f in corpus.FILES])
def test_each_file_of_the_corpus_gives_the_members_on_the_sheet(as_organiser, name, lang, build):
    filename = "liste.xlsx" if name.endswith("xlsx") else "liste.csv"
    location = _upload(as_organiser, build(), filename).headers["Location"]
    html = as_organiser.get(location).get_data(as_text=True)
    assert "ligne 3" in html  # the header found under the title and the blank row
    first, last = corpus.FR_HEADER[1::-1] if lang == "fr" else corpus.AR_HEADER[1::-1]
    # the preview says the names are joined
    assert f"«\u00a0{first}\u00a0» et «\u00a0{last}\u00a0»" in html
    upload = db.session.scalar(sa.select(MemberImport))
    done = as_organiser.post(
        f"/members/import/{upload.id}/confirm",
        data={"csrf_token": csrf_token_from(html), "confirm-consent": "y"},
    )
    assert done.status_code == 302
    members = db.session.execute(
        sa.select(Member.full_name, Member.phone, Member.email, Member.city).order_by(Member.id)
    ).all()
    people = corpus.FR_PEOPLE if lang == "fr" else corpus.AR_PEOPLE
    assert [tuple(m) for m in members] == corpus.expected(people)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_an_xlsx_is_read_as_shown_and_its_formulas_are_reported(lang):
    table = importer.read_table(corpus.xlsx_file(lang), "liste.xlsx")
    assert table.header_line == 3 and table.lines == [4, 5, 6]
    assert [row[5] for row in table.rows] == ["15/03/2018"] * 3  # the date as shown
    assert table.formula_lines == [6]
    notes = [str(n) for n in imports.import_notes(table, importer.guess_mapping(table.header))]
    assert any("6" in n and "formula" in n for n in notes), notes


def test_a_formula_is_warned_about_in_the_preview(as_organiser):
    location = _upload(as_organiser, corpus.xlsx_file("fr"), "liste.xlsx").headers["Location"]
    html = as_organiser.get(location).get_data(as_text=True)
    assert "La ligne 6 contient une formule" in html


def test_the_cli_finds_the_header_under_a_title(app, org, tmp_path):
    path = tmp_path / "liste.csv"
    path.write_bytes(corpus.csv_file("ar", "cp1256"))
    result = app.test_cli_runner().invoke(
        args=["members", "import", str(path), "--org", org.slug, "--consent", "form 2018"]
    )
    assert result.exit_code == 0, result.output
    assert "Column names taken from line 3." in result.output
    assert "created: 3" in result.output
    names = list(db.session.scalars(sa.select(Member.full_name).order_by(Member.id)))
    assert names == [name for name, *_ in corpus.expected(corpus.AR_PEOPLE)]
