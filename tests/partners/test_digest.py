"""The weekly partner digest: the account's own waiting follow-ups older than its partner's
setting, in its language, once a week, through the real SMTP server."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from blueprints.followups.models import FollowUp, FollowUpStatus
from core.db import utcnow
from core.outbox import OutboxMessage
from core.outbox_delivery import deliver_due
from core.roles import Role
from extensions import db
from tests.conftest import form_page_token, make_org, make_partner, make_user
from tests.followups.conftest import raise_concern


def _aged(event, text, partner, days, status=FollowUpStatus.OPEN):
    raise_concern(event, text)
    db.session.commit()
    item = db.session.scalar(sa.select(FollowUp).order_by(FollowUp.id.desc()))
    item.partner_id = partner.id if partner else None
    item.created_at = utcnow() - timedelta(days=days)
    item.status = status
    if status == FollowUpStatus.RESOLVED:
        item.resolved_at = utcnow()
    db.session.commit()
    return item


def _body(parsed, kind="plain") -> str:
    return parsed.get_body((kind,)).get_content()


def test_each_partner_gets_its_own_old_open_items_in_its_language(app, event, smtp_server):
    cnss = make_partner(event.organisation, "CNSS Nador", name_ar="الضمان الاجتماعي")
    dgi = make_partner(event.organisation, "DGI Nador", name_ar="المديرية العامة للضرائب")
    dgi.digest_days = 20
    org = event.organisation
    agent = make_user(org, Role.PARTNER, "agent@cnss.example", "ar", partner_id=cnss.id)
    tax = make_user(org, Role.PARTNER, "agent@dgi.example", "fr", partner_id=dgi.id)
    make_user(org, Role.PARTNER, "gone@dgi.example", partner_id=dgi.id, active=False)
    beta = make_org("beta", name_fr="Beta")
    foreign = make_partner(beta, "CNSS Beta")
    make_user(beta, Role.PARTNER, partner_id=foreign.id)
    old = _aged(event, "رقم الانخراط لا يظهر <b>x</b>", cnss, 9)
    _aged(event, "Trop récent pour la CNSS", cnss, 2)
    _aged(event, "Déjà résolu CNSS", cnss, 30, FollowUpStatus.RESOLVED)
    _aged(event, "Attente de la DGI depuis dix jours", dgi, 10)
    tax_old = _aged(event, "Attente de la DGI depuis un mois", dgi, 30, FollowUpStatus.IN_PROGRESS)
    _aged(event, "Sans partenaire", None, 30)
    db.session.commit()

    runner = app.test_cli_runner()
    result = runner.invoke(args=["partners", "digest"])
    assert result.exit_code == 0, result.output
    assert "2 queued" in result.output  # the inactive account and beta's get nothing
    again = runner.invoke(args=["partners", "digest"])
    assert "0 queued, 2 already queued this week" in again.output
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 2

    assert deliver_due() == (2, 0)
    received = {rcpt[0]: parsed for _, rcpt, parsed in smtp_server.wait_for(2)}
    arabic = received[agent.email]
    text, html = _body(arabic), _body(arabic, "html")
    assert text.startswith("السلام عليكم")
    assert "رقم الانخراط لا يظهر <b>x</b>" in text and "&lt;b&gt;x&lt;/b&gt;" in html
    assert f"/partner/followups/{old.id}" in text
    for absent in ("Trop récent", "Déjà résolu", "DGI", "Sans partenaire"):
        assert absent not in text
    french = _body(received[tax.email])
    assert french.startswith("Bonjour")
    assert "depuis un mois" in french and f"/partner/followups/{tax_old.id}" in french
    assert "dix jours" not in french  # younger than this partner's 20 days
    assert "رقم الانخراط" not in french


def test_next_week_is_another_digest_and_answered_items_are_left_out(app, event, smtp_server):
    cnss = make_partner(event.organisation, "CNSS Nador")
    make_user(event.organisation, Role.PARTNER, partner_id=cnss.id, locale="fr")
    item = _aged(event, "Une vieille question", cnss, 9)
    runner = app.test_cli_runner()
    assert "1 queued" in runner.invoke(args=["partners", "digest"]).output
    item.status, item.resolved_at = FollowUpStatus.RESOLVED, utcnow()  # answered meanwhile
    db.session.commit()
    deliver_due()
    assert not smtp_server.messages  # skipped: nothing left to list
    assert db.session.scalar(sa.select(OutboxMessage.state)).value == "cancelled"
    later = (utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    assert "0 queued" in runner.invoke(args=["partners", "digest", "--now", later]).output
    item.status, item.resolved_at = FollowUpStatus.OPEN, None  # reopened by the member
    db.session.commit()
    assert "1 queued" in runner.invoke(args=["partners", "digest", "--now", later]).output


def test_the_organiser_sets_the_partners_days(app, as_organiser, event):
    cnss = make_partner(event.organisation, "CNSS Nador")
    url = f"/partners/{cnss.id}"
    token = form_page_token(as_organiser, url)
    data = {"csrf_token": token, "name_fr": "CNSS Nador", "kind": "public_body"}
    assert as_organiser.post(url, data={**data, "digest_days": "21"}).status_code == 302
    refused = as_organiser.post(url, data={**data, "digest_days": "365"})
    assert refused.status_code == 200 and "is-invalid" in refused.get_data(as_text=True)
    assert as_organiser.post(url, data=data).status_code == 302  # left empty: kept
    db.session.expire_all()
    assert db.session.get(type(cnss), cnss.id).digest_days == 21
