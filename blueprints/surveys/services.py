"""Surveys: one per event, its settings, opening and closing. Plain values in, domain
errors out; services only flush, the caller commits once. The schedule, the answering,
the question editor and the results have their own modules."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from blueprints.events.models import Event
from blueprints.surveys import defaults
from blueprints.surveys.models import (
    Survey,
    SurveyInvite,
    SurveyQuestion,
    SurveyResponse,
    SurveyStatus,
)
from blueprints.surveys.schedule import CLOSED, schedule_survey
from core import audit
from core.db import utcnow
from core.outbox import OutboxMessage, OutboxState
from extensions import db


class SurveyError(Exception):
    pass


class SurveyClosed(SurveyError):
    pass


def survey_for(event: Event) -> Survey | None:
    return db.session.scalar(
        sa.select(Survey).where(
            Survey.event_id == event.id, Survey.organisation_id == event.organisation_id
        )
    )


def create_survey(event: Event) -> Survey:
    """The event's survey from the default template (a second call returns the first)."""
    existing = survey_for(event)
    if existing is not None:
        return existing
    survey = Survey(
        organisation_id=event.organisation_id,
        event_id=event.id,
        title_ar=defaults.TITLE["ar"],
        title_fr=defaults.TITLE["fr"],
        intro_ar=defaults.INTRO["ar"],
        intro_fr=defaults.INTRO["fr"],
    )
    for position, (kind, required, concern, label_ar, label_fr) in enumerate(defaults.QUESTIONS):
        survey.questions.append(
            SurveyQuestion(
                organisation_id=event.organisation_id,
                position=position,
                kind=kind,
                required=required,
                is_concern=concern,
                label_ar=label_ar,
                label_fr=label_fr,
            )
        )
    db.session.add(survey)
    db.session.flush()
    return survey


def response_count(survey: Survey) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(SurveyResponse.id)).where(SurveyResponse.survey_id == survey.id)
    )


@dataclass
class SurveySettings:
    anonymous: bool
    delay_hours: int
    reminder_days: int
    title_ar: str = ""
    title_fr: str = ""
    intro_ar: str = ""
    intro_fr: str = ""


def update_settings(survey: Survey, settings: SurveySettings, now: datetime | None = None) -> None:
    if settings.anonymous != survey.anonymous and response_count(survey):
        # Switching would either expose past answers or lose their link silently.
        raise SurveyError(_l("The survey already has answers: anonymity can no longer change."))
    for name in ("anonymous", "delay_hours", "reminder_days"):
        setattr(survey, name, getattr(settings, name))
    for name in ("title_ar", "title_fr", "intro_ar", "intro_fr"):
        setattr(survey, name, (getattr(settings, name) or "").strip())
    db.session.flush()
    schedule_survey(survey, now)


def open_survey(survey: Survey, now: datetime | None = None) -> int:
    if not survey.questions:
        raise SurveyError(_l("Add at least one question before opening the survey."))
    now = now or utcnow()
    survey.status = SurveyStatus.OPEN
    survey.opened_at = survey.opened_at or now
    survey.closed_at = None
    db.session.flush()
    return schedule_survey(survey, now)


def close_survey(survey: Survey, now: datetime | None = None) -> None:
    """No more answers; invitations and reminders still queued are cancelled (reopening
    the survey queues them again)."""
    survey.status = SurveyStatus.CLOSED
    survey.closed_at = now or utcnow()
    db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.key.like(f"survey:{survey.id}:%"),
            OutboxMessage.state == OutboxState.QUEUED,
        )
        .values(state=OutboxState.CANCELLED, last_error=CLOSED)
    )
    reseal(survey)
    db.session.flush()


def reseal(survey: Survey) -> None:
    """Write an anonymous survey's responses again, in the order of their random ids, and
    touch its invites, all in one transaction: afterwards neither the rows' order in the
    table nor PostgreSQL's row versions (xmin) follow the order, or the transaction, in
    which each person answered (the answer's own transaction also set their invite's
    `responded` flag)."""
    if not survey.anonymous:
        return
    table = SurveyResponse.__table__
    rows = [
        dict(row)
        for row in db.session.execute(
            sa.select(table).where(table.c.survey_id == survey.id).order_by(table.c.id)
        ).mappings()
    ]
    db.session.execute(sa.delete(table).where(table.c.survey_id == survey.id))
    if rows:
        db.session.execute(sa.insert(table), rows)
    db.session.execute(
        sa.update(SurveyInvite)
        .where(SurveyInvite.survey_id == survey.id)
        .values(responded=SurveyInvite.responded)
        .execution_options(synchronize_session=False)
    )


def vacuum_after_reseal() -> None:
    """On PostgreSQL, let VACUUM clear the row versions a reseal left behind (best effort:
    it waits for no lock; autovacuum does it later otherwise). SQLite overwrites deleted
    rows itself (secure_delete, core.db)."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("SET lock_timeout = '2s'")
        with contextlib.suppress(sa.exc.OperationalError):  # busy: autovacuum will
            conn.exec_driver_sql("VACUUM survey_response, survey_invite")


def send_now(survey: Survey, now: datetime | None = None) -> int:
    """Open the survey if needed and send it now instead of after the delay."""
    now = now or utcnow()
    if survey.status == SurveyStatus.CLOSED:
        raise SurveyError(_l("The survey is closed. Open it again first."))
    survey.send_now_at = now
    if survey.status == SurveyStatus.DRAFT:
        queued = open_survey(survey, now)
    else:
        queued = schedule_survey(survey, now)
    audit.record("survey.send", "survey", survey.id,
                 detail={"event_id": survey.event_id, "invitations": queued, "trigger": "now"},
                 organisation_id=survey.organisation_id)  # fmt: skip
    return queued
