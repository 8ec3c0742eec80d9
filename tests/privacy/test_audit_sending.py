"""Reminders, change notices and survey sending are in the audit log: an organiser's
"remind now" as theirs, the workers' schedule and `flask surveys tick` as the system's;
counts only, never who received what."""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa

from blueprints.invitations import notices, reminders
from blueprints.invitations.models import EventNotice
from blueprints.surveys import services as surveys
from blueprints.surveys.models import SurveyStatus
from core import outbox_worker
from core.audit import SYSTEM, AuditEntry
from core.roles import Role
from extensions import db
from tests.conftest import csrf_token_from, login, make_event, make_member, make_user
from tests.invitations.conftest import invite
from tests.surveys.conftest import make_registration

PEOPLE = ("Amina Rifi", "amina@example.ma", "Jean Dupont", "jean@example.ma", "+212661")


def _entries(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def _says_nothing_personal(entry: AuditEntry) -> None:
    written = json.dumps([entry.fields, entry.detail, entry.object_type], ensure_ascii=False)
    for value in PEOPLE:
        assert value not in written, (value, written)


def _invitees(org):
    make_member(org, "Amina Rifi", email="amina@example.ma", phone="+212661000001")
    make_member(org, "Jean Dupont", email="jean@example.ma", phone="+212661000002")


def test_an_organisers_remind_now_is_logged_as_theirs_with_the_count(client, org, organiser):
    event = make_event(org, starts_in=timedelta(days=10))
    _invitees(org)
    invite(event, everyone=True)
    login(client, organiser.email)
    page = client.get(f"/events/{event.id}/invitations").get_data(as_text=True)
    remind = client.post(
        f"/events/{event.id}/invitations/remind", data={"csrf_token": csrf_token_from(page)}
    )
    assert remind.status_code == 302
    (entry,) = _entries("reminders.send")
    assert (entry.user_id, entry.organisation_id) == (organiser.id, org.id)
    assert (entry.object_type, entry.object_id) == ("event", event.id)
    assert entry.detail == {"queued": 2, "trigger": "now"}
    _says_nothing_personal(entry)


def test_the_workers_scheduled_reminders_are_logged_as_the_system(app, org):
    event = make_event(org, starts_in=timedelta(days=2))
    _invitees(org)
    invite(event, everyone=True)
    reminders.set_schedule(event, [3])
    db.session.commit()
    outbox_worker.run_periodic()  # what `flask outbox work` runs between deliveries
    (entry,) = _entries("reminders.send")
    assert entry.user_id is None and entry.address == ""
    assert entry.detail == {"queued": 2, "trigger": "schedule", "days_before": 3, "by": SYSTEM}
    _says_nothing_personal(entry)
    outbox_worker.run_periodic()
    assert len(_entries("reminders.send")) == 1  # a schedule runs once


def test_change_notices_raised_sent_and_dismissed_are_logged(client, org, organiser):
    event = make_event(org, starts_in=timedelta(days=10))
    _invitees(org)
    invite(event, everyone=True)
    notices.record_change(event, {"time", "venue"}, actor=organiser)
    db.session.commit()
    (raised,) = _entries("notice.raised")
    assert raised.fields == ["time", "venue"] and raised.detail == {"notice": "changed"}
    notice = db.session.scalar(sa.select(EventNotice))
    login(client, organiser.email)
    page = client.get(f"/events/{event.id}/invitations").get_data(as_text=True)
    token = csrf_token_from(page)
    sent = client.post(f"/events/{event.id}/notices/{notice.id}/send", data={"csrf_token": token})
    assert sent.status_code == 302
    (entry,) = _entries("notice.send")
    assert entry.user_id == organiser.id and entry.object_id == event.id
    assert entry.detail == {"notice": "changed", "queued": 2}
    _says_nothing_personal(entry)
    cancelled = notices.record_cancellation(event, actor=organiser)
    db.session.commit()
    client.post(f"/events/{event.id}/notices/{cancelled.id}/dismiss", data={"csrf_token": token})
    client.post(f"/events/{event.id}/notices/{cancelled.id}/dismiss", data={"csrf_token": token})
    (dismissed,) = _entries("notice.dismiss")
    assert dismissed.user_id == organiser.id and dismissed.detail == {"notice": "cancelled"}


def test_survey_sending_by_the_tick_command_and_by_send_now_is_logged(app, org, organiser):
    event = make_event(org, starts_in=timedelta(hours=-5), hours=4)
    make_registration(event, "Amina Rifi", email="amina@example.ma")
    make_registration(event, "Jean Dupont", email="jean@example.ma")
    survey = surveys.create_survey(event)
    survey.status = SurveyStatus.OPEN
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["surveys", "tick"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    (entry,) = _entries("survey.send")
    assert entry.user_id is None and entry.organisation_id == org.id
    assert entry.detail == {"event_id": event.id, "invitations": 2, "reminders": 0,
                            "trigger": "schedule", "by": SYSTEM}  # fmt: skip
    _says_nothing_personal(entry)
    app.test_cli_runner().invoke(args=["surveys", "tick"])
    assert len(_entries("survey.send")) == 1  # nothing more to send: nothing logged

    client = app.test_client()
    login(client, organiser.email)
    page = client.get(f"/events/{event.id}/survey").get_data(as_text=True)
    client.post(f"/events/{event.id}/survey/send-now", data={"csrf_token": csrf_token_from(page)})
    now = _entries("survey.send")[-1]
    assert now.user_id == organiser.id and now.detail["trigger"] == "now"


def test_the_owner_sees_system_entries_as_the_system(client, org):
    owner = make_user(org, Role.OWNER, locale="en")
    event = make_event(org, starts_in=timedelta(days=2))
    _invitees(org)
    invite(event, everyone=True)
    reminders.set_schedule(event, [3])
    db.session.commit()
    outbox_worker.run_periodic()
    login(client, owner.email)
    page = client.get("/privacy/audit?action=reminders").get_data(as_text=True)
    row = page.split("<code>reminders.send</code>")[0].rsplit("<tr>", 1)[1]
    assert "System" in row
    export = client.get("/privacy/audit.csv").get_data(as_text=True)
    assert any(line.split(",")[1] == "system" for line in export.splitlines()[1:])
