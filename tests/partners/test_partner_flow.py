"""A partner account, from the invitation to the member's "still not solved"."""

from __future__ import annotations

import re

import sqlalchemy as sa

from blueprints.auth.models import User
from blueprints.followups.models import FollowUp, FollowUpStatus
from core.outbox_delivery import deliver_due
from core.roles import Role
from extensions import db
from tests.conftest import form_page_token, login, make_org, make_partner, make_user
from tests.followups.conftest import raise_concern

HOSTILE = "<script>alert(1)</script>\u202e"


def _link(parsed, prefix: str) -> str:
    text = parsed.get_body(("plain",)).get_content()
    return re.search(rf"https?://\S+({prefix}/\S+)", text).group(1)


def test_invited_partner_answers_and_the_member_reopens(
    app, client, as_organiser, event, consenting, smtp_server
):
    partner = make_partner(event.organisation, "CNSS Nador")
    raise_concern(event, "Damancom refuse mon numéro", consenting)
    raise_concern(event, "Autre sujet, pour une autre administration")
    db.session.commit()
    routed, other = db.session.scalars(sa.select(FollowUp).order_by(FollowUp.id)).all()
    routed.partner_id = partner.id
    db.session.commit()

    url = f"/partners/{partner.id}/accounts"
    data = {"csrf_token": form_page_token(as_organiser, url), "full_name": "Samira Agent",
            "email": "Samira@cnss.example", "locale": "ar", "departments": ""}  # fmt: skip
    assert as_organiser.post(url, data=data).status_code == 302
    assert deliver_due() == (1, 0)
    ((_, rcpt, invite),) = smtp_server.wait_for(1)
    assert rcpt == ["samira@cnss.example"]
    welcome = _link(invite, "/welcome")

    partner_client = app.test_client()
    page = partner_client.get(welcome)
    assert page.status_code == 200
    token = form_page_token(partner_client, welcome)
    short = partner_client.post(
        welcome, data={"csrf_token": token, "password": "x", "confirm": "x"}
    )
    assert short.status_code == 200 and "is-invalid" in short.get_data(as_text=True)
    data = {"csrf_token": token, "password": "long enough pw", "confirm": "long enough pw"}
    assert partner_client.post(welcome, data=data).status_code == 302
    assert partner_client.get(welcome).status_code == 404  # the link works once

    inbox = partner_client.get("/partner").get_data(as_text=True)
    assert "Damancom" in inbox and "Autre sujet" not in inbox
    assert partner_client.get(f"/partner/followups/{other.id}").status_code == 404
    assert partner_client.get("/members").status_code == 403
    assert partner_client.get(f"/events/{event.id}").status_code == 403
    page = partner_client.get(f"/partner/followups/{routed.id}").get_data(as_text=True)
    assert "youssef@example.ma" in page  # consented: how to reach them is shown

    take_url = f"/partner/followups/{routed.id}/take"
    token = form_page_token(partner_client, f"/partner/followups/{routed.id}")
    assert partner_client.post(take_url, data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(FollowUp, routed.id).status == FollowUpStatus.IN_PROGRESS

    answer = f"تم تصحيح رقم الانخراط {HOSTILE}"
    data = {"csrf_token": token, "body": answer, "language": "ar", "outcome": "resolved"}
    assert partner_client.post(f"/partner/followups/{routed.id}", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(FollowUp, routed.id).status == FollowUpStatus.RESOLVED
    smtp_server.messages.clear()
    assert deliver_due() == (1, 0)
    ((_, rcpt, mail),) = smtp_server.wait_for(1)
    assert rcpt == ["youssef@example.ma"]
    html = mail.get_body(("html",)).get_content()
    assert 'dir="rtl"' in html and "<script>" not in html and "\u202e" not in html
    reply = _link(mail, "/f")

    member = app.test_client()
    assert member.get(reply).status_code == 200
    token = form_page_token(member, reply)
    empty = member.post(reply, data={"csrf_token": token, "verdict": "not_solved", "text": ""})
    assert empty.status_code == 400  # "still not solved" needs a word; nothing recorded
    data = {"csrf_token": token, "verdict": "not_solved", "text": "Toujours refusé " + "x" * 50}
    assert member.post(reply, data=data).status_code == 200
    assert member.post(reply, data=data).status_code == 200  # once: the form is gone
    db.session.expire_all()
    reopened = db.session.get(FollowUp, routed.id)
    assert reopened.status == FollowUpStatus.OPEN
    assert [m.kind.value for m in reopened.messages] == ["note", "answer", "reply"]
    page = partner_client.get(f"/partner/followups/{routed.id}").get_data(as_text=True)
    assert "Toujours refusé" in page and 'data-status="open"' in page
    assert "&lt;script&gt;" in page

    organiser_page = as_organiser.get(f"/followups/{routed.id}").get_data(as_text=True)
    assert "Toujours refusé" in organiser_page and 'data-kind="reply"' in organiser_page


def test_another_organisations_partner_sees_nothing(app, client, event, consenting):
    raise_concern(event, "Question routée", consenting)
    db.session.commit()
    routed = db.session.scalar(sa.select(FollowUp))
    routed.partner_id = make_partner(event.organisation).id
    db.session.commit()
    beta = make_org("beta", name_fr="Beta")
    stranger = make_user(beta, Role.PARTNER, partner_id=make_partner(beta, "CNSS Beta").id)
    assert login(client, stranger.email).status_code == 302
    assert "Question routée" not in client.get("/partner").get_data(as_text=True)
    for url in (f"/partner/followups/{routed.id}",):
        assert client.get(url).status_code == 404
    token = form_page_token(client, "/account/password")
    assert (
        client.post(f"/partner/followups/{routed.id}/take", data={"csrf_token": token}).status_code
        == 404
    )
    assert client.get(f"/events/{event.id}/report").status_code == 403
    assert db.session.scalar(sa.select(User).where(User.email == stranger.email)).partner_id


def test_the_report_counts_and_keeps_the_notes(app, as_organiser, event, consenting):
    raise_concern(event, "Une question", consenting)
    db.session.commit()
    event_page = as_organiser.get(f"/events/{event.id}").get_data(as_text=True)
    assert f"/events/{event.id}/report" in event_page
    page = as_organiser.get(f"/events/{event.id}/report").get_data(as_text=True)
    assert 'dir="rtl"' in page and 'data-figure="accepted">1<' in page
    french = as_organiser.get(f"/events/{event.id}/report?lang=fr").get_data(as_text=True)
    assert 'lang="fr"' in french
    url = f"/events/{event.id}/report/notes"
    token = form_page_token(as_organiser, f"/events/{event.id}/report")
    as_organiser.post(url, data={"csrf_token": token, "notes": HOSTILE + " promis"})
    page = as_organiser.get(f"/events/{event.id}/report").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; promis" in page
    too_long = as_organiser.post(url, data={"csrf_token": token, "notes": "y" * 20001})
    assert too_long.status_code == 400  # the text comes back as typed, with the reason
    assert "y" * 20001 in too_long.get_data(as_text=True)
    assert "is-invalid" in too_long.get_data(as_text=True)
    db.session.expire_all()
    assert event.report_notes.endswith("promis")
