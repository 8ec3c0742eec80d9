"""The survey leaves after the event ends plus the delay, only to people checked in."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from click.testing import CliRunner

from blueprints.surveys import answering, schedule, services
from blueprints.surveys.cli import cli as surveys_cli
from blueprints.surveys.models import SurveyInvite, SurveyResponse
from core.db import utcnow
from core.outbox import OutboxMessage, OutboxState
from core.outbox_delivery import deliver_due
from core.outbox_worker import run_periodic
from extensions import db
from tests.surveys.conftest import make_registration, open_survey


def _invites():
    return list(db.session.scalars(sa.select(SurveyInvite).order_by(SurveyInvite.id)))


def _link_in(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return next(word for word in body.split() if "/s/" in word)


def test_nothing_leaves_before_the_end_plus_the_delay(app, survey, past_event, smtp_server):
    make_registration(past_event, "Karim", email="karim@example.ma")
    opened_at = past_event.starts_at + timedelta(minutes=30)  # opened during the meeting
    open_survey(survey, now=opened_at)
    due = past_event.ends_at + timedelta(hours=2)
    message = db.session.scalar(sa.select(OutboxMessage))
    assert message.send_after == due
    assert deliver_due(now=due - timedelta(minutes=1)) == (0, 0)
    assert smtp_server.messages == []
    assert deliver_due(now=due) == (1, 0)
    ((_, rcpt, parsed),) = smtp_server.wait_for(1)
    assert rcpt == ["karim@example.ma"]
    assert "/s/" + _invites()[0].token in _link_in(parsed)


def test_only_checked_in_people_and_companions_with_an_email(app, survey, past_event):
    make_registration(
        past_event,
        "Karim",
        email="karim@example.ma",
        companions=[("Salma", "salma@example.ma"), ("Omar", None)],
    )
    make_registration(past_event, "Absent", email="absent@example.ma", checked_in=False)
    make_registration(past_event, "No email", email=None)
    open_survey(survey)
    assert sorted(m.to_email for m in db.session.scalars(sa.select(OutboxMessage))) == [
        "karim@example.ma",
        "salma@example.ma",
    ]
    assert {i.person_key[:2] for i in _invites()} == {"r:", "c:"}


def test_each_person_gets_the_survey_in_their_language(app, survey, past_event, smtp_server):
    make_registration(past_event, "Amina", email="amina@example.ma", locale="ar")
    make_registration(past_event, "Claire", email="claire@example.ma", locale="fr")
    open_survey(survey)
    services.send_now(survey)
    db.session.commit()
    assert deliver_due() == (2, 0)
    received = {rcpt[0]: parsed for _, rcpt, parsed in smtp_server.wait_for(2)}
    arabic = received["amina@example.ma"]
    assert "رأيكم" in arabic["Subject"] or "لقاء" in arabic["Subject"]
    assert 'dir="rtl"' in arabic.get_body(("html",)).get_content()
    french = received["claire@example.ma"]
    assert "avis" in french["Subject"].lower()
    assert 'dir="ltr"' in french.get_body(("html",)).get_content()


def test_opening_twice_and_ticking_never_queue_twice(app, survey, past_event):
    make_registration(past_event, "Karim", email="karim@example.ma")
    open_survey(survey)
    assert schedule.schedule_survey(survey) == 0
    assert schedule.tick() == (0, 0)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 1


def test_a_late_check_in_is_picked_up_by_the_tick(app, survey, past_event):
    open_survey(survey)
    make_registration(past_event, "Late", email="late@example.ma")
    result = CliRunner().invoke(surveys_cli, ["tick"], obj=None, standalone_mode=False)
    # the command needs the app context, which the test already has
    assert result.exception is None, result.output
    assert "1 invitation(s)" in result.output
    assert [m.to_email for m in db.session.scalars(sa.select(OutboxMessage))] == ["late@example.ma"]


def test_changing_the_delay_moves_invitations_not_yet_sent(app, survey, past_event, as_organiser):
    make_registration(past_event)
    open_survey(survey, now=past_event.starts_at)
    settings = services.SurveySettings(anonymous=True, delay_hours=24, reminder_days=3)
    services.update_settings(survey, settings, now=past_event.starts_at)
    db.session.commit()
    message = db.session.scalar(sa.select(OutboxMessage))
    assert message.send_after == past_event.ends_at + timedelta(hours=24)


def test_the_reminder_goes_only_to_those_who_did_not_answer(app, survey, past_event, smtp_server):
    make_registration(past_event, "Answered", email="answered@example.ma")
    make_registration(past_event, "Silent", email="silent@example.ma")
    open_survey(survey)
    answered, silent = _invites()
    answering.submit_response(answered, {})
    db.session.commit()
    first = answered.send_at
    assert schedule.queue_reminders(survey, now=first + timedelta(days=2)) == 0
    assert schedule.queue_reminders(survey, now=first + timedelta(days=3)) == 1
    assert schedule.queue_reminders(survey, now=first + timedelta(days=4)) == 0  # only one
    db.session.commit()
    reminders = list(
        db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "survey_reminder"))
    )
    assert [m.to_email for m in reminders] == ["silent@example.ma"]
    deliver_due(now=first + timedelta(days=3, minutes=1))
    messages = smtp_server.wait_for(3)
    subjects = {
        rcpt[0]: parsed["Subject"] for _, rcpt, parsed in messages if "Rappel" in parsed["Subject"]
    }
    assert list(subjects) == ["silent@example.ma"]


def test_no_reminder_when_set_to_zero_days(app, survey, past_event):
    survey.reminder_days = 0
    make_registration(past_event)
    open_survey(survey)
    assert schedule.queue_reminders(survey, now=utcnow() + timedelta(days=30)) == 0


def test_closing_cancels_queued_invitations_and_refuses_answers(app, survey, past_event, client):
    make_registration(past_event)
    open_survey(survey, now=past_event.starts_at)
    services.close_survey(survey)
    db.session.commit()
    assert db.session.scalar(sa.select(OutboxMessage.state)) == OutboxState.CANCELLED
    token = _invites()[0].token
    response = client.get(f"/s/{token}")
    assert response.status_code == 410
    assert db.session.scalar(sa.select(sa.func.count(SurveyResponse.id))) == 0


def test_a_draft_survey_sends_nothing(app, survey, past_event):
    make_registration(past_event)
    assert schedule.schedule_survey(survey) == 0
    assert schedule.tick() == (0, 0)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_the_outbox_worker_runs_the_survey_schedule(app, survey, past_event):
    open_survey(survey)
    make_registration(past_event, "Late", email="late@example.ma")
    run_periodic()  # what every outbox worker does each half minute
    assert [m.to_email for m in db.session.scalars(sa.select(OutboxMessage))] == ["late@example.ma"]
