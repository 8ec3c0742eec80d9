"""The organiser's questions on the RSVP form, and the form's settings."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from blueprints.events.models import Event
from blueprints.rsvp.errors import RsvpError
from blueprints.rsvp.models import (
    CHOICE_KINDS,
    Question,
    QuestionKind,
    RsvpSettings,
)
from core.i18n import PART_SEPARATORS
from extensions import db


@dataclass
class QuestionData:
    kind: QuestionKind
    label_ar: str
    label_fr: str
    help_ar: str = ""
    help_fr: str = ""
    choices_ar: str = ""
    choices_fr: str = ""
    required: bool = False
    is_concern: bool = False


def questions_for(event_id: int) -> list[Question]:
    return list(
        db.session.scalars(
            sa.select(Question)
            .where(Question.event_id == event_id)
            .order_by(Question.position, Question.id)
        )
    )


def display_value(question: Question, value: str, locale: str) -> str:
    """An answer as a person reads it: choice line numbers become the choice texts."""
    if not value:
        return ""
    if question.kind in CHOICE_KINDS:
        choices = question.choices(locale)
        texts = []
        for part in value.split(","):
            if part.isdigit() and int(part) < len(choices):
                texts.append(choices[int(part)])
        return PART_SEPARATORS.get((locale or "")[:2], ", ").join(texts)
    if question.kind == QuestionKind.YES_NO:
        return str(_l("Yes") if value == "yes" else _l("No"))
    return value


def _clean_choices(text: str) -> str:
    return "\n".join(line.strip()[:200] for line in text.splitlines() if line.strip())[:5000]


def _apply_question(question: Question, data: QuestionData) -> None:
    if not (data.label_ar.strip() or data.label_fr.strip()):
        raise RsvpError(_l("Give the question a label in Arabic or French."))
    question.kind = data.kind
    question.label_ar, question.label_fr = data.label_ar.strip(), data.label_fr.strip()
    question.help_ar, question.help_fr = data.help_ar.strip(), data.help_fr.strip()
    question.choices_ar = _clean_choices(data.choices_ar)
    question.choices_fr = _clean_choices(data.choices_fr)
    if data.kind in CHOICE_KINDS:
        if len(question.choices_ar.splitlines()) + len(question.choices_fr.splitlines()) == 0:
            raise RsvpError(_l("A choice question needs its choices, one per line."))
        ar, fr = question.choices_ar.splitlines(), question.choices_fr.splitlines()
        if ar and fr and len(ar) != len(fr):
            raise RsvpError(_l("Give as many choices in Arabic as in French, in the same order."))
    question.required = data.required
    question.is_concern = data.is_concern


def add_question(event: Event, data: QuestionData) -> Question:
    last = db.session.scalar(
        sa.select(sa.func.max(Question.position)).where(Question.event_id == event.id)
    )
    question = Question(
        organisation_id=event.organisation_id,
        event_id=event.id,
        position=(last + 1) if last is not None else 0,
    )
    _apply_question(question, data)
    db.session.add(question)
    db.session.flush()
    return question


def update_question(question: Question, data: QuestionData) -> None:
    _apply_question(question, data)
    db.session.flush()


def delete_question(question: Question) -> None:
    db.session.delete(question)
    db.session.flush()


def move_question(question: Question, step: int) -> None:
    """Swap with the neighbour above (step -1) or below (step +1)."""
    ordered = questions_for(question.event_id)
    index = next(i for i, q in enumerate(ordered) if q.id == question.id)
    other = index + (1 if step > 0 else -1)
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position
    db.session.flush()


def settings_for(event: Event) -> RsvpSettings:
    found = db.session.scalar(sa.select(RsvpSettings).where(RsvpSettings.event_id == event.id))
    return found or RsvpSettings(
        organisation_id=event.organisation_id,
        event_id=event.id,
        open_registration=False,
        requires_approval=False,
    )


def save_settings(event: Event, open_registration: bool, requires_approval: bool) -> RsvpSettings:
    settings = settings_for(event)
    settings.open_registration = open_registration
    settings.requires_approval = requires_approval
    db.session.add(settings)
    db.session.flush()
    return settings
