"""The member directory as an organiser uses it: add, find, filter, archive, export."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
from openpyxl import load_workbook

from blueprints.members.models import Member, MemberCategory
from blueprints.members.services import MemberData, create_member
from extensions import db
from tests.conftest import form_page_token, make_org, make_user


def _add(org, name, **fields):
    member = create_member(org.id, MemberData(full_name=name, **fields))
    db.session.commit()
    return member


def test_organiser_adds_a_member_with_a_moroccan_phone(as_organiser, org):
    token = form_page_token(as_organiser, "/members/new")
    response = as_organiser.post(
        "/members/new",
        data={
            "csrf_token": token,
            "full_name": "  Fatima   Zahra  El Amrani ",
            "email": "Fatima@Example.MA",
            "phone": "06 12 34 56 78",
            "locale": "ar",
            "category": "official",
            "tags": "CNSS, bâtiment, CNSS",
            "ice": "001561191000066",
            "consent": "y",
            "consent_source": "fiche d'adhésion",
        },
    )
    assert response.status_code == 302
    member = db.session.scalar(sa.select(Member))
    assert member.full_name == "Fatima Zahra El Amrani"
    assert member.phone == "+212612345678"
    assert member.email == "fatima@example.ma"
    assert member.category == MemberCategory.OFFICIAL
    assert member.tag_names == ["CNSS", "bâtiment"]
    assert member.consent_at is not None and member.consent_source == "fiche d'adhésion"
    assert "0612345678" in member.search_text and "fatima zahra" in member.search_text


def test_post_without_csrf_is_refused(as_organiser):
    assert as_organiser.post("/members/new", data={"full_name": "X"}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Member.id))) == 0


def test_invalid_phone_ice_and_huge_name_are_refused(as_organiser):
    token = form_page_token(as_organiser, "/members/new")
    response = as_organiser.post(
        "/members/new",
        data={
            "csrf_token": token,
            "full_name": "x" * 10_000,
            "phone": "12",
            "ice": "123456789012345",
            "locale": "fr",
            "category": "member",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "is-invalid" in html
    assert db.session.scalar(sa.select(sa.func.count(Member.id))) == 0


def test_names_are_escaped_and_bidi_overrides_do_not_leak_into_search(as_organiser, org):
    member = _add(org, "<script>alert(1)</script>\u202eKarim", email="k@example.ma")
    html = as_organiser.get("/members").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert "\u202e" not in member.search_text


def test_search_ignores_case_accents_and_arabic_vowel_marks(as_organiser, org):
    _add(org, "Élodie BÉNALI", company="Atlas Bâtiment", phone="0661234567")
    _add(org, "أَحْمَد الإدريسي", company="مقاولة النور")
    _add(org, "Someone Else")

    def names(query):
        html = as_organiser.get("/members", query_string={"q": query}).get_data(as_text=True)
        return {n for n in ("BÉNALI", "الإدريسي", "Someone") if n in html}

    assert names("benali") == {"BÉNALI"}
    assert names("batiment") == {"BÉNALI"}
    assert names("احمد") == {"الإدريسي"}
    assert names("ادريسي") == {"الإدريسي"}
    assert names("066 123") == {"BÉNALI"}
    assert names("+212661234567") == {"BÉNALI"}
    assert names("100%_") == set()


def test_filters_by_tag_category_and_trade_and_paginates(as_organiser, org):
    for i in range(30):
        _add(
            org,
            f"Membre {i:02d}",
            trade="BTP" if i % 2 else "Textile",
            tags=["nador"] if i < 5 else [],
        )
    _add(org, "Madame la Directrice", category="official")
    page = as_organiser.get("/members", query_string={"tag": "nador"}).get_data(as_text=True)
    assert page.count("Membre 0") == 5
    officials = as_organiser.get("/members", query_string={"category": "official"})
    assert "Directrice" in officials.get_data(as_text=True)
    assert "Membre 0" not in officials.get_data(as_text=True)
    textile = as_organiser.get("/members", query_string={"trade": "Textile", "page": 1})
    html = textile.get_data(as_text=True)
    assert "Membre 00" in html and "Membre 01" not in html
    second = as_organiser.get("/members", query_string={"page": 2}).get_data(as_text=True)
    assert "Membre 29" in second or "Membre 25" in second


def test_archive_hides_a_member_but_keeps_the_row(as_organiser, org):
    member = _add(org, "Rachid Archive")
    token = form_page_token(as_organiser, f"/members/{member.id}")
    assert (
        as_organiser.post(f"/members/{member.id}/archive", data={"csrf_token": token}).status_code
        == 302
    )
    assert "Rachid Archive" not in as_organiser.get("/members").get_data(as_text=True)
    archived = as_organiser.get("/members", query_string={"archived": "1"})
    assert "Rachid Archive" in archived.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Member, member.id).archived_at is not None


def test_another_organisations_member_is_not_found(as_organiser):
    other = make_org("other")
    make_user(other, email="boss@other.test")
    stranger = _add(other, "Not Yours")
    assert as_organiser.get(f"/members/{stranger.id}").status_code == 404
    assert "Not Yours" not in as_organiser.get("/members").get_data(as_text=True)


def test_duplicate_email_or_phone_is_refused(org):
    _add(org, "First", email="same@example.ma", phone="0612345678")
    import pytest

    from blueprints.members.services import MemberError

    with pytest.raises(MemberError):
        create_member(org.id, MemberData(full_name="Second", phone="+212 612-345-678"))


def test_export_neutralises_spreadsheet_formulas(as_organiser, org):
    _add(org, '=HYPERLINK("http://evil.example","x")', company="+cmd", notes="@SUM(A1)")
    _add(org, "سعاد الفاسي", company="-2+3")
    response = as_organiser.get("/members/export.csv")
    assert response.status_code == 200
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert "'+cmd" in cells and "'@SUM(A1)" in cells and "'-2+3" in cells
    assert "سعاد الفاسي" in cells
    book = load_workbook(io.BytesIO(as_organiser.get("/members/export.xlsx").get_data()))
    values = [c.value for row in book.active.iter_rows() for c in row]
    assert "'+cmd" in values and not any(isinstance(v, str) and v.startswith("=") for v in values)
