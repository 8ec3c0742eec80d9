"""The member's readable copy: one self-contained HTML file, in their language and
direction, that fetches nothing, prints to PDF from any browser, and escapes what it holds."""

from __future__ import annotations

import json
from datetime import timedelta
from html.parser import HTMLParser

from blueprints.followups.models import FollowUp, FollowUpSource
from blueprints.privacy import mydata
from core.db import utcnow
from extensions import db
from tests.conftest import make_event, make_member
from tests.surveys.conftest import make_registration

HOSTILE_NAME = '<script>alert("name")</script> أمينة'
HOSTILE_COMPANY = '"><img src=x onerror=alert(1)>'
HOSTILE_COMPANION = "</style><script>alert(2)</script>"
HOSTILE_CONCERN = "<iframe src=//evil.example></iframe> التصريح مرفوض"


class _Document(HTMLParser):
    """Every element and attribute of the file, and the text of its <style>."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.style = ""
        self.text = ""
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(k, v or "") for k, v in attrs]
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style += data
        else:
            self.text += data


def _open(client, member) -> None:
    link = mydata.issue_link(member)
    db.session.commit()
    assert client.get(f"/my-data/open/{link.token}").status_code == 302


def _hostile_member(org, locale: str):
    member = make_member(org, HOSTILE_NAME, email="amina@example.ma", locale=locale,
                         company=HOSTILE_COMPANY, consent_at=utcnow(),
                         consent_source="<b>papier</b>")  # fmt: skip
    event = make_event(org, title_ar="لقاء الضمان الاجتماعي", title_fr="Rencontre CNSS",
                       starts_in=timedelta(hours=-5), hours=4)  # fmt: skip
    registration = make_registration(event, HOSTILE_NAME, email="amina@example.ma",
                                     member_id=member.id, locale=locale,
                                     companions=[(HOSTILE_COMPANION, None)])  # fmt: skip
    db.session.add(
        FollowUp(organisation_id=org.id, event_id=event.id, text=HOSTILE_CONCERN,
                 source=FollowUpSource.RSVP, registration_id=registration.id)
    )  # fmt: skip
    db.session.commit()
    return member


def _download(client) -> tuple[str, _Document]:
    response = client.get("/my-data/me.html")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["Content-Disposition"] == 'attachment; filename="my-data.html"'
    assert response.headers["Cache-Control"] == "no-store"  # not kept by a shared computer
    assert response.headers["Referrer-Policy"] == "no-referrer"
    html = response.get_data(as_text=True)
    document = _Document()
    document.feed(html)
    return html, document


def test_the_readable_copy_is_arabic_right_to_left_self_contained_and_escaped(client, org):
    _open(client, _hostile_member(org, "ar"))
    html, document = _download(client)
    assert html.startswith("<!doctype html>")
    assert '<html lang="ar" dir="rtl">' in html
    assert "<title>" in html and "<style>" in html and "@page" in document.style
    # nothing to fetch: no script, image, frame, stylesheet or font, no URL in the CSS
    assert not {"script", "img", "iframe", "link", "object", "embed", "base"} & set(document.tags)
    assert not [a for a in document.attrs if a[0] in ("src", "href", "srcset", "action")]
    assert "url(" not in document.style and "@import" not in document.style
    assert not [a for a in document.attrs if a[0].startswith("on") or a[0] == "style"]
    # the hostile values are shown, as text
    for value in (HOSTILE_NAME, HOSTILE_COMPANY, HOSTILE_COMPANION, HOSTILE_CONCERN):
        assert value in document.text
    assert "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;" in html
    assert "&lt;/style&gt;&lt;script&gt;" in html
    assert "&lt;b&gt;papier&lt;/b&gt;" in html
    # in the member's language: headings, labels and event titles in Arabic
    assert "لقاء الضمان الاجتماعي" in document.text and "Rencontre CNSS" not in document.text
    for english in ("My data", "Profile", "Consent", "Accepted", "Emails"):
        assert english not in document.text, english
    assert "العربية" in document.text  # the language, named, not "ar"


def test_the_readable_copy_follows_the_members_language_and_holds_what_the_json_holds(client, org):
    member = _hostile_member(org, "fr")
    mydata.send_links(member.email)  # an email held about them, named in words
    _open(client, member)
    html, document = _download(client)
    assert "Lien vers vos données" in document.text and "my_data_link" not in document.text
    assert '<html lang="fr" dir="ltr">' in html
    assert "Rencontre CNSS" in document.text
    held = json.loads(client.get("/my-data/me.json").get_data(as_text=True))
    profile = held["profile"]
    for key in ("full_name", "company", "email"):
        assert profile[key] in document.text, key
    for registration in held["registrations"]:
        assert registration["event"] in document.text
        for companion in registration["companions"]:
            assert companion in document.text
    for followup in held["followups"]:
        assert followup["text"] in document.text
    assert "accepted" not in document.text  # a status in words, not its code


def test_the_members_page_offers_both_downloads(client, org):
    _open(client, _hostile_member(org, "ar"))
    page = client.get("/my-data/me").get_data(as_text=True)
    assert 'href="/my-data/me.html"' in page and 'href="/my-data/me.json"' in page
