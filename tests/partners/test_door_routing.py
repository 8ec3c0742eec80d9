"""Door staff note a concern raised at the door and route it to a partner or department,
as organisers do; the partner sees it at once."""

from __future__ import annotations

import sqlalchemy as sa

from blueprints.followups.models import FollowUp, FollowUpSource
from core.roles import Role
from extensions import db
from tests.conftest import form_page_token, login, make_org, make_partner, make_user


def test_the_door_routes_a_concern_to_a_partner(app, as_door, event):
    cnss = make_partner(event.organisation, "CNSS Nador", name_ar="الضمان الاجتماعي")
    foreign = make_partner(make_org("beta", name_fr="Beta"), "CNSS Beta")
    agent = make_user(event.organisation, Role.PARTNER, "agent@cnss.example", partner_id=cnss.id)
    url = f"/events/{event.id}/followups/new"
    page = as_door.get(url).get_data(as_text=True)
    assert "CNSS Nador" in page and "CNSS Beta" not in page
    token = form_page_token(as_door, url)
    data = {"csrf_token": token, "text": "Mon numéro CNSS est refusé", "raised_by_name": "Karim"}
    stranger = as_door.post(url, data={**data, "partner_id": str(foreign.id)})
    assert stranger.status_code == 200 and "is-invalid" in stranger.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(FollowUp.id))) == 0
    sent = as_door.post(url, data={**data, "partner_id": str(cnss.id), "department": "Affiliation"})
    assert sent.status_code == 302
    item = db.session.scalar(sa.select(FollowUp))
    assert (item.partner_id, item.department, item.source) == (
        cnss.id, "Affiliation", FollowUpSource.DOOR,
    )  # fmt: skip
    partner_client = app.test_client()
    login(partner_client, agent.email)
    assert "Mon numéro CNSS est refusé" in partner_client.get("/partner").get_data(as_text=True)
    unrouted = as_door.post(url, data={**data, "text": "Sans partenaire", "partner_id": ""})
    assert unrouted.status_code == 302
    last = db.session.scalar(sa.select(FollowUp).order_by(FollowUp.id.desc()))
    assert last.partner_id is None and last.department == ""
