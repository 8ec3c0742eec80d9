"""The meeting report as a PDF made on the server: Arabic shaped and in logical order."""

from __future__ import annotations

import io
import os
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from core.pdf import StaticFetcher, html_to_pdf
from extensions import db
from tests.followups.conftest import raise_concern
from tests.surveys.conftest import make_registration

TITLE_AR = "لقاء تواصلي حول التغطية الصحية"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def squeeze(text: str) -> str:
    return "".join(text.split())


def test_the_arabic_report_pdf_holds_the_title_and_the_figures(
    app, as_organiser, event, consenting, artifacts_dir
):
    event.title_ar = TITLE_AR
    make_registration(event, "سعيد الناظوري", email="said@example.ma", checked_in=False)
    raise_concern(event, "Une question", consenting)
    db.session.commit()
    response = as_organiser.get(f"/events/{event.id}/report.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    text = pdf_text(response.data)
    assert squeeze(TITLE_AR) in squeeze(text)  # shaped, yet read back in logical order
    assert "الحاضرون" in text or "الحضور" in text
    assert "قبلوا2" in squeeze(text) and "الحاضرون1" in squeeze(text)
    assert "عضو" in text and "member" not in text  # the category by its name
    path = os.path.join(artifacts_dir, "report-ar.pdf")
    with open(path, "wb") as handle:
        handle.write(response.data)
    if shutil.which("pdftoppm"):  # page 1 as an image, for a person to look at
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", path, path[:-4]], check=True)


def test_the_french_report_pdf(app, as_organiser, event, consenting):
    response = as_organiser.get(f"/events/{event.id}/report.pdf?lang=fr")
    text = pdf_text(response.data)
    assert "Rencontre d'information" in text or "Rencontre d’information" in text
    assert "Participation" in text or "Invités" in text


def test_the_pdf_fetches_nothing_but_our_static_files(app):
    with app.test_request_context():
        fetcher = StaticFetcher(app.static_folder, app.static_url_path)
        assert fetcher("http://liqaa.invalid/static/css/pdf.css").read().startswith(b"/*")
        for url in (
            "http://example.com/static/css/pdf.css",
            "http://liqaa.invalid/static/../config.py",
            "http://liqaa.invalid/other",
            "file:///etc/passwd",
        ):
            with pytest.raises(ValueError):
                fetcher(url)
        hostile = (
            '<img src="http://127.0.0.1:9/x.png"><link rel=stylesheet href="file:///etc/passwd">'
        )
        assert html_to_pdf(f"<p>ok</p>{hostile}").startswith(b"%PDF")
