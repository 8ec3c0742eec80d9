"""What the issue asks of a partner's answer that the walk-through does not: "needs the
member's documents", the organisers' hand-over to another partner with the thread kept, the
contact shown only with consent, and the board's age, overdue colour and times per partner."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from blueprints.followups import thread
from blueprints.followups.models import FollowUp, FollowUpStatus
from core.db import utcnow
from core.outbox_delivery import deliver_due
from core.roles import Role
from extensions import db
from tests.conftest import form_page_token, login, make_partner, make_user
from tests.followups.conftest import raise_concern
from tests.surveys.conftest import make_registration


def _routed(event, text, partner, registration=None):
    raise_concern(event, text, registration)
    db.session.commit()
    item = db.session.scalar(sa.select(FollowUp).order_by(FollowUp.id.desc()))
    item.partner_id = partner.id
    db.session.commit()
    return item


def _partner_client(app, org, partner, email):
    user = make_user(org, Role.PARTNER, email=email, partner_id=partner.id, locale="fr")
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def test_documents_asked_then_handed_over_with_the_thread_kept(
    app, as_organiser, event, org, consenting, smtp_server
):
    cnss = make_partner(org, "CNSS Nador")
    amo = make_partner(org, "AMO Oriental")
    item = _routed(event, "Dossier de remboursement bloqué", cnss, consenting)
    first = _partner_client(app, org, cnss, "agent@cnss.example")
    second = _partner_client(app, org, amo, "agent@amo.example")
    assert second.get(f"/partner/followups/{item.id}").status_code == 404

    url = f"/partner/followups/{item.id}"
    data = {"csrf_token": form_page_token(first, url), "language": "ar",
            "outcome": "needs_documents", "body": "أرسلوا لنا نسخة من بطاقة التعريف"}  # fmt: skip
    assert first.post(url, data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(FollowUp, item.id).status == FollowUpStatus.NEEDS_DOCUMENTS
    smtp_server.messages.clear()
    assert deliver_due() == (1, 0)
    ((_, rcpt, mail),) = smtp_server.wait_for(1)
    assert rcpt == ["youssef@example.ma"]  # in the member's language, with a link to reply
    plain = mail.get_body(("plain",)).get_content()
    assert "بطاقة التعريف" in plain and "/f/" in plain and "السلام عليكم" in plain

    edit = f"/followups/{item.id}"
    form = {"csrf_token": form_page_token(as_organiser, edit), "status": "needs_documents",
            "partner_id": str(amo.id), "department": "Rembours", "resolution": ""}  # fmt: skip
    assert as_organiser.post(edit, data=form).status_code == 302
    db.session.expire_all()
    moved = db.session.get(FollowUp, item.id)
    assert moved.partner_id == amo.id
    assert [m.kind.value for m in moved.messages] == ["answer", "note"]  # the hand-over
    assert first.get(url).status_code == 404  # the first partner no longer reaches it
    page = second.get(url).get_data(as_text=True)
    assert "بطاقة التعريف" in page  # the new partner reads the whole thread


def test_contact_is_shown_to_the_partner_only_with_consent(app, event, org):
    cnss = make_partner(org, "CNSS Nador")
    silent = make_registration(event, "Karim Sans Accord", email="karim@example.ma")
    agreed = make_registration(event, "Salma Accord", email="salma@example.ma",
                               consent_at=utcnow())  # fmt: skip
    without = _routed(event, "Sans accord", cnss, silent)
    anonymous = _routed(event, "Anonyme", cnss)
    with_consent = _routed(event, "Avec accord", cnss, agreed)
    partner = _partner_client(app, org, cnss, "agent@cnss.example")
    for item, shown in ((without, False), (anonymous, False), (with_consent, True)):
        page = partner.get(f"/partner/followups/{item.id}").get_data(as_text=True)
        assert ("@example.ma" in page) is shown, item.text
    assert "Karim" not in partner.get(f"/partner/followups/{without.id}").get_data(as_text=True)


def test_the_board_shows_age_overdue_and_the_partners_times(app, as_organiser, event, org):
    cnss = make_partner(org, "CNSS Nador")
    old = _routed(event, "Ancienne question", cnss)
    young = _routed(event, "Question récente", cnss)
    now = utcnow()
    old.created_at = now - timedelta(days=20)
    young.created_at = now - timedelta(days=2)
    db.session.commit()
    agent = make_user(org, Role.PARTNER, email="agent@cnss.example", partner_id=cnss.id)
    thread.answer(
        young, agent, "Réglé", "fr", "resolved", now=young.created_at + timedelta(hours=5.5)
    )
    db.session.commit()

    board = as_organiser.get("/followups?lang=fr").get_data(as_text=True)
    assert 'class="fu-overdue" data-age="20"' in board  # old and open: in colour
    assert 'class="" data-age="2"' in board  # answered in time: not
    (fig,) = thread.partner_figures(org.id, now)
    assert (fig.total, fig.open, fig.overdue, fig.first_answer_hours) == (2, 1, 1, 5.5)
    assert fig.resolution_hours == 5.5
    row = board.split(f'<tr data-partner="{cnss.id}">')[1].split("</tr>")[0]
    assert row.count("<td>5,5\u00a0h</td>") == 2  # first answer, resolution: in French
