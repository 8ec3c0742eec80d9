"""Surveys: one per event, its settings, opening and closing. Plain values in, domain
errors out; services only flush, the caller commits once. The schedule, the answering,
the question editor and the results have their own modules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from blueprints.events.models import Event
from blueprints.surveys import defaults
from blueprints.surveys.models import (
    Survey,
    SurveyQuestion,
    SurveyResponse,
    SurveyStatus,
)
from blueprints.surveys.schedule import schedule_survey
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
    """No more answers; invitations and reminders still queued are cancelled."""
    survey.status = SurveyStatus.CLOSED
    survey.closed_at = now or utcnow()
    db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.key.like(f"survey:{survey.id}:%"),
            OutboxMessage.state == OutboxState.QUEUED,
        )
        .values(state=OutboxState.CANCELLED)
    )
    db.session.flush()


def send_now(survey: Survey, now: datetime | None = None) -> int:
    """Open the survey if needed and send it now instead of after the delay."""
    now = now or utcnow()
    if survey.status == SurveyStatus.CLOSED:
        raise SurveyError(_l("The survey is closed. Open it again first."))
    survey.send_now_at = now
    if survey.status == SurveyStatus.DRAFT:
        return open_survey(survey, now)
    return schedule_survey(survey, now)
