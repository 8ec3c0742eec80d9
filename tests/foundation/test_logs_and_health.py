"""One JSON line per request and per delivery, with no link in them; readiness for admins."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import sqlalchemy as sa

from blueprints.rsvp.models import Registration
from blueprints.surveys import services as surveys
from blueprints.surveys.models import SurveyInvite
from core.db import utcnow
from core.logs import JsonLines
from core.outbox import OutboxMessage, OutboxState, enqueue
from core.outbox_delivery import deliver_due
from extensions import db
from tests.conftest import make_event
from tests.rsvp.conftest import ACCEPT, answer, make_invitation
from tests.surveys.conftest import make_registration


def _lines(caplog, name: str) -> list[dict]:
    formatter = JsonLines()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == name]


def test_a_journey_leaves_one_line_per_request_and_no_link(client, org, caplog):
    caplog.set_level(logging.INFO, logger="liqaa")
    event = make_event(org, capacity=10)
    invitation = make_invitation(org, event, full_name="Karim Benali", locale="fr")
    assert answer(client, invitation, ACCEPT).status_code == 302
    registration = db.session.scalar(sa.select(Registration))
    assert client.get(f"/t/{registration.ticket_code}").status_code == 200
    assert client.get(f"/u/{invitation.token}").status_code in (200, 302)
    past = make_event(org, starts_in=timedelta(hours=-5), hours=4)
    make_registration(past, "Nadia", email="nadia@example.ma")
    survey = surveys.create_survey(past)
    surveys.open_survey(survey)
    db.session.commit()
    survey_token = db.session.scalar(sa.select(SurveyInvite)).token
    assert client.get(f"/s/{survey_token}").status_code == 200
    assert client.get("/s/forged-token-0123456789").status_code == 404

    lines = _lines(caplog, "liqaa.request")
    routes = [line["route"] for line in lines]
    assert {"/r/<token>", "/t/<code>", "/s/<token>"} <= set(routes)
    assert all(line["request_id"] and line["duration_ms"] is not None for line in lines)
    assert all(line["status"] in (200, 302, 404) for line in lines)
    text = "\n".join(JsonLines().format(r) for r in caplog.records)
    for token in (invitation.token, registration.ticket_code, survey_token, "forged-token"):
        assert token not in text


def test_the_request_id_is_sent_back(client):
    given = client.get("/healthz", headers={"X-Request-ID": "lb-1234abcd"})
    assert given.headers["X-Request-ID"] == "lb-1234abcd"
    forged = client.get("/healthz", headers={"X-Request-ID": "bad id <script>"})
    assert forged.headers["X-Request-ID"] != "bad id <script>"
    assert len(forged.headers["X-Request-ID"]) == 32


def test_a_failed_delivery_is_logged_without_the_address(app, org, caplog):
    caplog.set_level(logging.INFO, logger="liqaa")
    enqueue(
        db.session,
        key="log-test",
        kind="no-such-builder",
        to_email="karim.secret@example.ma",
        locale="fr",
        payload={},
        organisation_id=org.id,
    )
    db.session.commit()
    assert deliver_due() == (0, 1)
    (line,) = _lines(caplog, "liqaa.outbox")
    assert line["outcome"] == "fail" and line["kind"] == "no-such-builder"
    assert "karim.secret" not in json.dumps(line)


def test_readiness_reports_stuck_email_and_an_unreachable_redis(app, client, org):
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["outbox"] == {"due": 0, "oldest_due_seconds": None, "failed": 0}
    db.session.add(
        OutboxMessage(
            organisation_id=org.id,
            key="stuck",
            kind="invitation",
            to_email="x@example.ma",
            payload={},
            state=OutboxState.QUEUED,
            send_after=utcnow() - timedelta(hours=1),
        )
    )
    db.session.commit()
    stuck = client.get("/readyz")
    assert stuck.status_code == 503
    assert stuck.get_json()["outbox"]["stuck"] is True
    assert stuck.get_json()["outbox"]["oldest_due_seconds"] >= 3600
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    try:
        assert client.get("/readyz").get_json()["redis"] == "unreachable"
    finally:
        app.config["REDIS_URL"] = None


def test_a_signed_in_request_names_its_account_and_organisation(as_organiser, organiser, caplog):
    caplog.set_level(logging.INFO, logger="liqaa")
    assert as_organiser.get("/events").status_code == 200
    line = _lines(caplog, "liqaa.request")[-1]
    assert line["route"] == "/events" and line["user_id"] == organiser.id
    assert line["organisation_id"] == organiser.organisation_id
