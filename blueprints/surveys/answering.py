"""A person answers the survey through their link: validation, one response per link."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from blueprints.surveys.models import (
    CHOICE_KINDS,
    NUMBER_KINDS,
    TEXT_KINDS,
    QuestionKind,
    Survey,
    SurveyInvite,
    SurveyResponse,
    SurveyStatus,
)
from blueprints.surveys.schedule import reminder_key
from blueprints.surveys.services import SurveyClosed
from core.db import utcnow
from core.outbox import OutboxMessage, OutboxState
from core.signals import concern_raised
from extensions import db

MAX_TEXT = {QuestionKind.SHORT_TEXT: 300, QuestionKind.LONG_TEXT: 5000}


def invite_by_token(token: str) -> SurveyInvite | None:
    """The invite behind a personal link (any organisation: the link is the credential)."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(sa.select(SurveyInvite).where(SurveyInvite.token == token))


def respondent_key(token: str, secret: str) -> str:
    """Keyed hash of the link: one response per link, not computable from the database."""
    return hmac.new(
        secret.encode(), f"survey-response|{token}".encode(), hashlib.sha256
    ).hexdigest()


def response_of(invite: SurveyInvite, secret: str) -> SurveyResponse | None:
    return db.session.scalar(
        sa.select(SurveyResponse).where(
            SurveyResponse.survey_id == invite.survey_id,
            SurveyResponse.respondent_key == respondent_key(invite.token, secret),
        )
    )


def clean_answers(survey: Survey, answers: dict) -> dict[str, object]:
    """Keep only answers to this survey's questions, of the right type and size."""
    clean: dict[str, object] = {}
    for question in survey.questions:
        value = answers.get(question.id, answers.get(str(question.id)))
        if value is None or value == "" or value == []:
            continue
        kind = question.kind
        if kind in NUMBER_KINDS:
            low, high = (1, 5) if kind == QuestionKind.RATING else (0, 10)
            if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
                clean[str(question.id)] = value
        elif kind == QuestionKind.YES_NO:
            if isinstance(value, bool):
                clean[str(question.id)] = value
        elif kind in CHOICE_KINDS:
            count = len(question.choices("fr"))
            picked = value if isinstance(value, list) else [value]
            indexes = sorted({v for v in picked if isinstance(v, int) and 0 <= v < count})
            if indexes:
                clean[str(question.id)] = indexes if kind == QuestionKind.MULTIPLE else indexes[0]
        elif kind in TEXT_KINDS and isinstance(value, str) and value.strip():
            clean[str(question.id)] = value.strip()[: MAX_TEXT[kind]]
    return clean


def submit_response(
    invite: SurveyInvite, answers: dict, *, secret: str, today: date | None = None
) -> SurveyResponse:
    """Record or replace this person's answers: one response per link, even when racing."""
    survey = invite.survey
    if survey.status != SurveyStatus.OPEN:
        raise SurveyClosed(_l("This survey is closed. Thank you."))
    clean = clean_answers(survey, answers)
    key = respondent_key(invite.token, secret)
    response = response_of(invite, secret)
    if response is None:
        response = SurveyResponse(
            organisation_id=survey.organisation_id,
            survey_id=survey.id,
            respondent_key=key,
            answered_on=today or utcnow().date(),
            answers={},
        )
        try:
            with db.session.begin_nested():
                db.session.add(response)
        except IntegrityError:  # the same person submitted twice at once: update theirs
            response = response_of(invite, secret)
            if response is None:  # pragma: no cover - the unique row must exist now
                raise
    previous = dict(response.answers or {})
    response.answers = clean
    if not survey.anonymous:
        response.registration_id = invite.registration_id
        response.companion_id = invite.companion_id
    invite.responded = True
    # The reminder is pointless now.
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.key == reminder_key(invite), OutboxMessage.state == OutboxState.QUEUED)
        .values(state=OutboxState.CANCELLED)
    )
    db.session.flush()
    _raise_concerns(survey, invite, clean, previous)
    return response


def _raise_concerns(survey: Survey, invite: SurveyInvite, new: dict, old: dict) -> None:
    for question in survey.questions:
        if not question.is_concern:
            continue
        text = new.get(str(question.id))
        if isinstance(text, str) and text and text != old.get(str(question.id)):
            concern_raised.send(
                None,
                organisation_id=survey.organisation_id,
                event_id=survey.event_id,
                text=text,
                source="survey",
                registration_id=None if survey.anonymous else invite.registration_id,
                question=question.label_fr or question.label_ar,
            )
