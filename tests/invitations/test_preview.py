"""Organisers read the invitation email in each language before sending it: the same
builder as the email that leaves, with nothing sent."""

from __future__ import annotations

import sqlalchemy as sa

from blueprints.invitations import emails
from blueprints.invitations.models import Invitation
from core import email_preview
from core.outbox import OutboxMessage
from core.outbox_delivery import deliver_due
from extensions import db
from tests.conftest import make_member
from tests.invitations.conftest import invite


def test_the_preview_is_the_email_that_leaves(
    app, as_organiser, organiser, org, event, smtp_server
):
    event.title_ar, event.title_fr = "لقاء الضمان الاجتماعي", "Rencontre CNSS"
    organiser.full_name = "Karim Benali"
    db.session.commit()
    member = make_member(org, "Karim Benali", locale="ar")

    page = as_organiser.get(f"/events/{event.id}/invitations/preview?language=ar&lang=fr")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "دعوة: لقاء الضمان الاجتماعي" in html  # the subject, in the email's language
    assert "السلام عليكم Karim Benali،" in html  # the text part, greeting the reader
    assert (
        f'src="/events/{event.id}/invitations/preview/html?language=ar&amp;kind=invitation"' in html
    )
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0  # nothing sent

    frame = as_organiser.get(f"/events/{event.id}/invitations/preview/html?language=ar")
    assert frame.headers["Content-Security-Policy"].startswith("sandbox;")
    preview_html = frame.get_data(as_text=True)
    assert 'dir="rtl"' in preview_html and "لقاء الضمان الاجتماعي" in preview_html

    # The real email to a member of the same name, language and event: the same but for
    # the personal links.
    invite(event, member_ids=[member.id])
    assert deliver_due() == (1, 0)
    (_, _, sent), *_ = smtp_server.wait_for(1)
    with app.test_request_context():
        built = email_preview.preview("invitation", event, "ar", "Karim Benali")
    real_text = sent.get_body(("plain",)).get_content()
    token = db.session.scalar(sa.select(Invitation).where(Invitation.member_id == member.id)).token
    assert str(sent["Subject"]) == built.subject
    personal = real_text.replace("\r\n", "\n").replace(token, emails.PREVIEW_TOKEN)
    assert personal.strip() == built.text.replace("\r\n", "\n").strip()


def test_french_and_reminder_previews(as_organiser, event):
    event.title_fr = "Rencontre CNSS"
    db.session.commit()
    html = as_organiser.get(
        f"/events/{event.id}/invitations/preview?language=fr&kind=reminder&lang=fr"
    ).get_data(as_text=True)
    assert "Rappel\u00a0: Rencontre CNSS" in html
    assert 'aria-current="page"' in html


def test_an_unknown_language_or_kind_falls_back(as_organiser, event):
    response = as_organiser.get(f"/events/{event.id}/invitations/preview?language=xx&kind=<script>")
    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True).split("<main", 1)[1]
