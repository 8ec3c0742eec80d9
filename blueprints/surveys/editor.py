"""The organiser's question editor."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from blueprints.surveys.models import (
    CHOICE_KINDS,
    TEXT_KINDS,
    QuestionKind,
    Survey,
    SurveyQuestion,
)
from blueprints.surveys.services import SurveyError, response_count
from extensions import db


@dataclass
class QuestionData:
    kind: QuestionKind
    label_ar: str
    label_fr: str
    required: bool = False
    is_concern: bool = False
    choices_ar: str = ""
    choices_fr: str = ""


def _check_question(data: QuestionData) -> None:
    if not data.label_ar.strip() and not data.label_fr.strip():
        raise SurveyError(_l("Give the question a label in Arabic or French."))
    if data.kind in CHOICE_KINDS:
        ar = [c for c in data.choices_ar.splitlines() if c.strip()]
        fr = [c for c in data.choices_fr.splitlines() if c.strip()]
        if max(len(ar), len(fr)) < 2:
            raise SurveyError(_l("A choice question needs at least two choices."))
        if ar and fr and len(ar) != len(fr):
            raise SurveyError(_l("Give as many choices in Arabic as in French, in the same order."))
    if data.is_concern and data.kind not in TEXT_KINDS:
        raise SurveyError(_l("Only a text question can collect concerns to follow up."))


def add_question(survey: Survey, data: QuestionData) -> SurveyQuestion:
    _check_question(data)
    position = max((q.position for q in survey.questions), default=-1) + 1
    question = SurveyQuestion(organisation_id=survey.organisation_id, position=position)
    _apply(question, data)
    survey.questions.append(question)
    db.session.flush()
    return question


def update_question(question: SurveyQuestion, data: QuestionData) -> None:
    _check_question(data)
    if data.kind != question.kind and response_count(question.survey):
        raise SurveyError(_l("The survey already has answers: the kind of question is fixed."))
    _apply(question, data)
    db.session.flush()


def _apply(question: SurveyQuestion, data: QuestionData) -> None:
    question.kind = data.kind
    question.label_ar = data.label_ar.strip()
    question.label_fr = data.label_fr.strip()
    question.required = data.required
    question.is_concern = data.is_concern
    keep = data.kind in CHOICE_KINDS
    question.choices_ar = "\n".join(c.strip() for c in data.choices_ar.splitlines() if c.strip())
    question.choices_fr = "\n".join(c.strip() for c in data.choices_fr.splitlines() if c.strip())
    if not keep:
        question.choices_ar = question.choices_fr = ""


def delete_question(question: SurveyQuestion) -> None:
    survey = question.survey
    survey.questions.remove(question)
    _renumber(survey)


def move_question(question: SurveyQuestion, step: int) -> None:
    survey = question.survey
    ordered = list(survey.questions)
    index = ordered.index(question)
    target = max(0, min(len(ordered) - 1, index + step))
    ordered.insert(target, ordered.pop(index))
    for position, item in enumerate(ordered):
        item.position = position
    db.session.flush()


def _renumber(survey: Survey) -> None:
    for position, item in enumerate(survey.questions):
        item.position = position
    db.session.flush()
