"""Issue 15's bad input and safety: a partner account reaches only the follow-ups routed to
its own body (and departments) in its own organisation, whatever id it guesses on every
partner route; hostile text (markup, bidi overrides, 10,000 characters) in answers, notes,
follow-ups and names stays text in the pages, the emails and the PDFs."""

from __future__ import annotations

import sqlalchemy as sa

from blueprints.followups.models import FollowUp, FollowUpMessage
from blueprints.followups.services import MAX_TEXT
from core.outbox_delivery import deliver_due
from core.roles import Role
from extensions import db
from tests.conftest import form_page_token, login, make_org, make_partner, make_user
from tests.followups.conftest import raise_concern
from tests.partners.test_report_pdf import pdf_text
from tests.surveys.conftest import make_registration

SCRIPT = "<script>alert(1)</script>"
RLO = "\u202e"


def _concern(event, text, partner=None, department=""):
    raise_concern(event, text)
    db.session.commit()
    item = db.session.scalar(sa.select(FollowUp).order_by(FollowUp.id.desc()))
    item.partner_id = partner.id if partner else None
    item.department = department
    db.session.commit()
    return item


def _state():
    rows = db.session.execute(
        sa.select(FollowUp.id, FollowUp.status, FollowUp.partner_id, FollowUp.department)
    )
    messages = db.session.scalar(sa.select(sa.func.count(FollowUpMessage.id)))
    return sorted(tuple(r) for r in rows), messages


def test_a_partner_guessing_ids_reaches_only_its_own_items(app, client, event, org):
    cnss = make_partner(org, "CNSS Nador")
    amendis = make_partner(org, "Amendis")
    mine = _concern(event, "Mine: affiliation", cnss, "Affiliation")
    other_department = _concern(event, "CNSS but pensions", cnss, "Pensions")
    other_partner = _concern(event, "Routed to Amendis", amendis)
    unrouted = _concern(event, "Not routed yet")
    beta = make_org("beta", name_fr="Beta")
    beta_event = make_event_like(event, beta)
    beta_cnss = make_partner(beta, "CNSS Beta")
    theirs = _concern(beta_event, "Beta own concern", beta_cnss)
    agent = make_user(
        org, Role.PARTNER, email="agent@cnss.example", partner_id=cnss.id,
        partner_departments="Affiliation",
    )  # fmt: skip
    stranger = make_user(beta, Role.PARTNER, email="agent@beta.example", partner_id=beta_cnss.id)
    highest = theirs.id

    for account, own, refused in (
        (agent, mine, [other_department, other_partner, unrouted, theirs]),
        (stranger, theirs, [mine, other_department, other_partner, unrouted]),
    ):
        visitor = app.test_client()
        assert login(visitor, account.email).status_code == 302
        inbox = visitor.get("/partner").get_data(as_text=True)
        assert own.text in inbox
        assert not [item.text for item in refused if item.text in inbox]
        token = form_page_token(visitor, "/account/password")
        before = _state()
        guesses = [item.id for item in refused] + [0, highest + 1, highest + 1000]
        for followup_id in guesses:
            base = f"/partner/followups/{followup_id}"
            answer = {"csrf_token": token, "body": "x", "language": "fr", "outcome": "resolved"}
            assert visitor.get(base).status_code == 404, base
            assert visitor.post(base, data=answer).status_code == 404, base
            assert visitor.post(base + "/take", data={"csrf_token": token}).status_code == 404
            assert visitor.get(f"/followups/{followup_id}").status_code in (403, 404)
        assert _state() == before  # nothing taken, answered or reassigned
        assert visitor.get(f"/partner/followups/{own.id}").status_code == 200
        for url in (
            f"/events/{event.id}/report",
            f"/events/{event.id}/report.pdf",
            f"/events/{event.id}/badges",
            f"/events/{event.id}/press-release",
            "/members",
            "/followups",
        ):
            assert visitor.get(url).status_code in (403, 404), url


def make_event_like(event, org):
    from tests.conftest import make_event

    return make_event(org)


def test_hostile_text_stays_text_in_pages_emails_and_pdfs(
    app, client, as_organiser, event, org, smtp_server
):
    long = "ن" * 10_000
    name = f"{SCRIPT}{RLO}نزار"
    company = f"{SCRIPT}{RLO}" + "ش" * 150
    person = make_registration(
        event,
        name,
        email="nizar@example.ma",
        locale="ar",
        company=company,
        consent_at=event.starts_at,
    )
    person.ticket_code = "ticket-code-hostile-0123456"
    cnss = make_partner(org, f"CNSS {SCRIPT}{RLO}")
    item = _concern(event, f"{SCRIPT}{RLO}{long}", cnss)
    item.registration_id = person.id
    db.session.commit()

    notes_url = f"/events/{event.id}/report/notes"
    token = form_page_token(as_organiser, f"/events/{event.id}/report")
    notes = {"csrf_token": token, "notes": f"{SCRIPT}{RLO} promis {long}"}
    assert as_organiser.post(notes_url, data=notes).status_code == 302
    for lang in ("ar", "fr"):
        page = as_organiser.get(f"/events/{event.id}/report?lang={lang}").get_data(as_text=True)
        assert SCRIPT not in page and RLO not in page and "&lt;script&gt;" in page
        text = pdf_text(as_organiser.get(f"/events/{event.id}/report.pdf?lang={lang}").data)
        assert RLO not in text and "promis" in text
    board = as_organiser.get(f"/followups/{item.id}").get_data(as_text=True)
    assert SCRIPT not in board and RLO not in board

    badges = as_organiser.get(f"/events/{event.id}/badges").get_data(as_text=True)
    assert SCRIPT not in badges and RLO not in badges
    text = pdf_text(as_organiser.get(f"/events/{event.id}/badges.pdf").data)
    assert SCRIPT in text and RLO not in text  # shown as the characters typed, never run

    agent = make_user(org, Role.PARTNER, email="agent@cnss.example", partner_id=cnss.id)
    partner = app.test_client()
    assert login(partner, agent.email).status_code == 302
    page = partner.get(f"/partner/followups/{item.id}").get_data(as_text=True)
    assert SCRIPT not in page and RLO not in page
    assert long[: MAX_TEXT - len(SCRIPT) - 1] in page  # a concern is kept up to MAX_TEXT
    token = form_page_token(partner, f"/partner/followups/{item.id}")
    answer = {"csrf_token": token, "language": "ar", "outcome": "resolved"}
    too_long = partner.post(f"/partner/followups/{item.id}", data=answer | {"body": long})
    assert too_long.status_code == 200 and "is-invalid" in too_long.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(FollowUpMessage.id))) == 0
    body = f"{SCRIPT}{RLO}" + "ج" * 4_900
    assert (
        partner.post(f"/partner/followups/{item.id}", data=answer | {"body": body}).status_code
        == 302
    )
    smtp_server.messages.clear()
    assert deliver_due() == (1, 0)
    ((_, _, mail),) = smtp_server.wait_for(1)
    html = mail.get_body(("html",)).get_content()
    plain = mail.get_body(("plain",)).get_content()
    assert SCRIPT not in html and "&lt;script&gt;" in html and RLO not in html + plain
    thread = as_organiser.get(f"/followups/{item.id}").get_data(as_text=True)
    assert SCRIPT not in thread and RLO not in thread
