"""The press release: built from the event's data in Arabic and French, edited and kept,
built again only when the organiser confirms, and taken away as PDF, .docx and text."""

from __future__ import annotations

import io
import zipfile

import sqlalchemy as sa
from docx import Document

from blueprints.followups.models import FollowUp, FollowUpStatus
from blueprints.members.models import MemberCategory
from blueprints.reports.models import PressRelease
from core.db import utcnow
from extensions import db
from tests.conftest import form_page_token, make_partner
from tests.followups.conftest import raise_concern
from tests.partners.test_report_pdf import pdf_text, squeeze
from tests.surveys.conftest import make_registration

HOSTILE = (
    '<script>alert(1)</script> </w:t></w:r><w:fldSimple w:instr="DDEAUTO c:\\\\x calc"/>'
    " =cmd|' /C calc'!A0 \x00\x0b\u202eEVIL"
)


def _meeting(event):
    partner = make_partner(event.organisation, "CNSS Nador", name_ar="الضمان الاجتماعي بالناظور")
    event.cohosts.append(partner)
    make_registration(
        event, "رشيد المدير الجهوي", email="dir@cnss.example", category=MemberCategory.OFFICIAL,
        company="CNSS",
    )  # fmt: skip
    raise_concern(event, "Damancom refuse mon numéro")
    raise_concern(event, "Retard de remboursement")
    db.session.commit()
    for item in db.session.scalars(sa.select(FollowUp)):
        item.partner_id = partner.id
    item.status, item.resolved_at = FollowUpStatus.RESOLVED, utcnow()
    db.session.commit()
    return partner


def test_the_draft_says_who_met_whom_where_and_the_figures(app, as_organiser, event, consenting):
    _meeting(event)
    page = as_organiser.get(f"/events/{event.id}/press-release")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "الضمان الاجتماعي بالناظور" in html and "رشيد المدير الجهوي" in html
    assert "لقاء تواصلي" in html and "Salle CNSS Nador" in html
    assert "كلمة الافتتاح" in html  # what was presented
    assert db.session.scalar(sa.select(PressRelease)) is None  # nothing kept until saved
    french = as_organiser.get(f"/events/{event.id}/press-release?lang=fr").get_data(as_text=True)
    assert "CNSS Nador" in french and "Mot d’ouverture" in french or "Mot d&#39;ouverture" in french
    text = as_organiser.get(f"/events/{event.id}/press-release.txt?lang=fr")
    assert text.content_type == "text/plain; charset=utf-8"
    body = text.get_data(as_text=True)
    assert "Rencontre d'information" in body  # plain text: not escaped
    assert "CNSS Nador" in body and "2" in body  # raised 2, resolved 1
    pdf = as_organiser.get(f"/events/{event.id}/press-release.pdf")
    assert pdf.data.startswith(b"%PDF")
    assert squeeze("الضمان الاجتماعي بالناظور") in squeeze(pdf_text(pdf.data))


def test_edits_are_kept_and_building_again_asks_first(app, as_organiser, event, consenting):
    _meeting(event)
    url = f"/events/{event.id}/press-release?lang=fr"
    token = form_page_token(as_organiser, url)
    data = {"csrf_token": token, "title": "Mon titre", "body": "Mon texte corrigé"}
    assert as_organiser.post(url, data=data).status_code == 302
    again = f"/events/{event.id}/press-release/regenerate?lang=fr"
    refused = as_organiser.post(again, data={"csrf_token": token})
    assert refused.status_code == 409 and "Mon texte corrigé" in refused.get_data(as_text=True)
    db.session.expire_all()
    kept = db.session.scalar(sa.select(PressRelease))
    assert (kept.language, kept.body, kept.edited) == ("fr", "Mon texte corrigé", True)
    confirmed = as_organiser.post(again, data={"csrf_token": token, "confirm": "y"})
    assert confirmed.status_code == 302
    db.session.expire_all()
    rebuilt = db.session.scalar(sa.select(PressRelease))
    assert not rebuilt.edited and "Mon texte" not in rebuilt.body and "CNSS Nador" in rebuilt.body
    # not edited since: building again needs no confirmation
    assert as_organiser.post(again, data={"csrf_token": token}).status_code == 302
    # the Arabic text is another row, untouched
    assert db.session.scalar(sa.select(sa.func.count(PressRelease.id))) == 1


def test_hostile_text_stays_text_in_the_page_the_pdf_and_the_docx(
    app, as_organiser, event, consenting
):
    url = f"/events/{event.id}/press-release"
    token = form_page_token(as_organiser, url)
    data = {"csrf_token": token, "title": "عنوان <b>x</b>", "body": f"السطر الأول\n{HOSTILE}"}
    assert as_organiser.post(url, data=data).status_code == 302
    page = as_organiser.get(url).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\u202e" not in page
    pdf = pdf_text(as_organiser.get(f"{url}.pdf").data)
    # shown as text (a <script> element would show nothing); "<" may come back mirrored
    assert "alert(1)" in pdf and "w:fldSimple" in pdf and "=cmd|" in pdf
    docx = as_organiser.get(f"{url}.docx")
    assert docx.mimetype.endswith("wordprocessingml.document")
    with zipfile.ZipFile(io.BytesIO(docx.data)) as archive:
        xml = archive.read("word/document.xml").decode()
    assert "fldSimple" not in xml.replace("&lt;w:fldSimple", "") and "instrText" not in xml
    assert "&lt;/w:t&gt;&lt;/w:r&gt;&lt;w:fldSimple" in xml
    assert "<w:bidi/>" in xml and "<w:rtl/>" in xml  # Arabic: paragraphs right to left
    lines = [p.text for p in Document(io.BytesIO(docx.data)).paragraphs]
    assert lines[0] == "عنوان <b>x</b>"
    assert lines[1] == "السطر الأول"
    assert lines[2].startswith("<script>alert(1)</script>") and "\x00" not in lines[2]
    assert lines[2].endswith("=cmd|' /C calc'!A0 \u202eEVIL")


def test_the_french_docx_reads_left_to_right(app, as_organiser, event, consenting):
    docx = as_organiser.get(f"/events/{event.id}/press-release.docx?lang=fr")
    with zipfile.ZipFile(io.BytesIO(docx.data)) as archive:
        xml = archive.read("word/document.xml").decode()
    assert "<w:bidi/>" not in xml and "Rencontre d" in xml
