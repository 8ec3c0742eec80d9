"""A person answers the survey through their link: validation, one response per link."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

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
from blueprints.surveys.services import SurveyClosed, SurveyError
from core.db import utcnow
from core.outbox import OutboxMessage, OutboxState
from core.signals import concern_raised
from core.tokens import find_by_token
from extensions import db

MAX_TEXT = {QuestionKind.SHORT_TEXT: 300, QuestionKind.LONG_TEXT: 5000}


class AlreadyAnswered(SurveyError):
    """The link of an anonymous survey was used already: its answer cannot be changed."""


def invite_by_token(token: str) -> SurveyInvite | None:
    """The invite behind a personal link (any organisation: the link is the credential)."""
    return find_by_token(SurveyInvite, token)


def response_of(invite: SurveyInvite) -> SurveyResponse | None:
    """The response of an identified survey's invitee (to show and edit it). An anonymous
    response cannot be found from its invite: nothing links them."""
    if invite.survey.anonymous:
        return None
    return db.session.scalar(
        sa.select(SurveyResponse).where(
            SurveyResponse.survey_id == invite.survey_id,
            SurveyResponse.registration_id == invite.registration_id,
            _same_companion(invite),
        )
    )


def _same_companion(invite: SurveyInvite):
    if invite.companion_id is None:
        return SurveyResponse.companion_id.is_(None)
    return SurveyResponse.companion_id == invite.companion_id


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
    invite: SurveyInvite,
    answers: dict,
    *,
    contact_me: bool = False,
    today: date | None = None,
) -> SurveyResponse:
    """Record this person's answers: once per link in an anonymous survey (a second
    submission raises AlreadyAnswered), replaced on each submission in an identified one.

    In an anonymous survey, `contact_me` asks for an answer to their concerns: those texts
    then go only to follow-ups that name the person, never into the anonymous response.
    """
    survey = invite.survey
    if survey.status != SurveyStatus.OPEN:
        raise SurveyClosed(_l("This survey is closed. Thank you."))
    clean = clean_answers(survey, answers)
    if survey.anonymous:
        response, previous = _anonymous(invite, survey, clean, contact_me, today), {}
    else:
        response, previous = _identified(invite, survey, clean, today)
    # The reminder is pointless now.
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.key == reminder_key(invite), OutboxMessage.state == OutboxState.QUEUED)
        .values(state=OutboxState.CANCELLED)
    )
    db.session.flush()
    _raise_concerns(survey, invite, clean, previous, contact_me and survey.anonymous)
    return response


def _anonymous(invite, survey, clean: dict, contact_me: bool, today) -> SurveyResponse:
    """Take the link (one conditional UPDATE: of two submissions at once, one wins), then
    insert a response that holds no value derived from the link, the invite or the time."""
    taken = db.session.execute(
        sa.update(SurveyInvite)
        .where(SurveyInvite.id == invite.id, SurveyInvite.responded.is_(False))
        .values(responded=True)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        raise AlreadyAnswered(_l("Your answer is already recorded. Thank you."))
    stored = dict(clean)
    if contact_me:  # their concerns go, with their name, to the follow-ups only
        for question in survey.questions:
            if question.is_concern:
                stored.pop(str(question.id), None)
    response = SurveyResponse(
        organisation_id=survey.organisation_id,
        survey_id=survey.id,
        answered_on=today or utcnow().date(),
        answers=stored,
    )
    db.session.add(response)
    db.session.flush()
    db.session.refresh(invite)
    return response


def _identified(invite, survey, clean: dict, today) -> tuple[SurveyResponse, dict]:
    """One response per invitee, found by their registration (and companion); edited in
    place by later submissions, also when two arrive at once."""
    db.session.execute(  # lock the invite row: concurrent submissions take turns
        sa.update(SurveyInvite)
        .where(SurveyInvite.id == invite.id)
        .values(responded=True)
        .execution_options(synchronize_session=False)
    )
    response = response_of(invite)
    previous = dict(response.answers or {}) if response is not None else {}
    if response is None:
        response = SurveyResponse(
            organisation_id=survey.organisation_id,
            survey_id=survey.id,
            answered_on=today or utcnow().date(),
            registration_id=invite.registration_id,
            companion_id=invite.companion_id,
        )
        db.session.add(response)
    response.answers = clean
    db.session.flush()
    db.session.refresh(invite)
    return response, previous


def _raise_concerns(
    survey: Survey, invite: SurveyInvite, new: dict, old: dict, named: bool
) -> None:
    """Each new or changed concern becomes a follow-up; it names the person when the survey
    is identified or when they asked to be contacted about it."""
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
                registration_id=invite.registration_id if named or not survey.anonymous else None,
                question=question.label_fr or question.label_ar,
            )
