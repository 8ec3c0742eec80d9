"""Survey forms: the public answer form (built from the questions), the editor, settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from blueprints.surveys.answering import MAX_TEXT
from blueprints.surveys.editor import QuestionData
from blueprints.surveys.models import QuestionKind, Survey
from blueprints.surveys.services import SurveySettings
from core.fields import WholeNumberField
from core.i18n import localized

KIND_LABELS = {
    QuestionKind.RATING: _l("Rating from 1 to 5 (stars)"),
    QuestionKind.SCALE: _l("Scale from 0 to 10"),
    QuestionKind.SINGLE: _l("Single choice"),
    QuestionKind.MULTIPLE: _l("Multiple choice"),
    QuestionKind.YES_NO: _l("Yes or no"),
    QuestionKind.SHORT_TEXT: _l("Short text"),
    QuestionKind.LONG_TEXT: _l("Long text"),
}


def field_name(question) -> str:
    return f"q{question.id}"


def response_form_class(survey: Survey, locale: str) -> type[FlaskForm]:
    """A form class with one field per question, in the visitor's language."""

    class ResponseForm(FlaskForm):
        pass

    for question in survey.questions:
        label = localized(question, "label", locale)
        required = InputRequired(message=_l("Please answer this question."))
        checks = [required] if question.required else [Optional()]
        kind = question.kind
        if kind in (QuestionKind.RATING, QuestionKind.SCALE):
            low, high = (1, 5) if kind == QuestionKind.RATING else (0, 10)
            choices = [(str(n), str(n)) for n in range(low, high + 1)]
            field = RadioField(label, choices=choices, validators=checks)
        elif kind == QuestionKind.YES_NO:
            field = RadioField(
                label, choices=[("yes", _l("Yes")), ("no", _l("No"))], validators=checks
            )
        elif kind == QuestionKind.SINGLE:
            choices = [(str(i), c) for i, c in enumerate(question.choices(locale))]
            field = RadioField(label, choices=choices, validators=checks)
        elif kind == QuestionKind.MULTIPLE:
            choices = [(str(i), c) for i, c in enumerate(question.choices(locale))]
            field = SelectMultipleField(label, choices=choices, validators=checks)
        else:
            limit = Length(max=MAX_TEXT[kind])
            cls = StringField if kind == QuestionKind.SHORT_TEXT else TextAreaField
            field = cls(label, validators=[*checks, limit])
        setattr(ResponseForm, field_name(question), field)
    if survey.anonymous and any(q.is_concern for q in survey.questions):
        ResponseForm.contact_me = BooleanField(
            _l("I want an answer: you may contact me about the problem I wrote above.")
        )
    return ResponseForm


def answers_from(form: FlaskForm, survey: Survey) -> dict[int, object]:
    answers: dict[int, object] = {}
    for question in survey.questions:
        data = form[field_name(question)].data
        if data in (None, "", []):
            continue
        kind = question.kind
        if kind in (QuestionKind.RATING, QuestionKind.SCALE, QuestionKind.SINGLE):
            answers[question.id] = int(data)
        elif kind == QuestionKind.YES_NO:
            answers[question.id] = data == "yes"
        elif kind == QuestionKind.MULTIPLE:
            answers[question.id] = [int(v) for v in data]
        else:
            answers[question.id] = data
    return answers


def form_data_from(survey: Survey, answers: dict) -> dict[str, object]:
    """Stored answers as form data, to show a person what they answered before."""
    data: dict[str, object] = {}
    for question in survey.questions:
        value = (answers or {}).get(str(question.id))
        if value is None:
            continue
        if question.kind == QuestionKind.YES_NO:
            data[field_name(question)] = "yes" if value else "no"
        elif question.kind == QuestionKind.MULTIPLE:
            data[field_name(question)] = [str(v) for v in value]
        elif isinstance(value, int):
            data[field_name(question)] = str(value)
        else:
            data[field_name(question)] = value
    return data


class SettingsForm(FlaskForm):
    anonymous = BooleanField(
        _l("Anonymous answers"),
        description=_l("Who answered is kept apart from what was answered."),
    )
    delay_hours = WholeNumberField(
        _l("Send how many hours after the end"),
        validators=[InputRequired(), NumberRange(min=0, max=720)],
    )
    reminder_days = WholeNumberField(
        _l("Reminder after how many days (0: none)"),
        validators=[InputRequired(), NumberRange(min=0, max=60)],
    )
    title_ar = StringField(_l("Title (Arabic)"), validators=[Length(max=200)])
    title_fr = StringField(_l("Title (French)"), validators=[Length(max=200)])
    intro_ar = TextAreaField(_l("Introduction (Arabic)"), validators=[Length(max=2000)])
    intro_fr = TextAreaField(_l("Introduction (French)"), validators=[Length(max=2000)])

    def settings(self) -> SurveySettings:
        return SurveySettings(
            anonymous=self.anonymous.data,
            delay_hours=self.delay_hours.data,
            reminder_days=self.reminder_days.data,
            title_ar=self.title_ar.data or "",
            title_fr=self.title_fr.data or "",
            intro_ar=self.intro_ar.data or "",
            intro_fr=self.intro_fr.data or "",
        )


class QuestionForm(FlaskForm):
    kind = SelectField(
        _l("Kind"),
        choices=[(k.value, label) for k, label in KIND_LABELS.items()],
        validators=[InputRequired()],
    )
    label_ar = StringField(_l("Question (Arabic)"), validators=[Length(max=500)])
    label_fr = StringField(_l("Question (French)"), validators=[Length(max=500)])
    choices_ar = TextAreaField(_l("Choices (Arabic), one per line"), validators=[Length(max=3000)])
    choices_fr = TextAreaField(_l("Choices (French), one per line"), validators=[Length(max=3000)])
    required = BooleanField(_l("An answer is required"))
    is_concern = BooleanField(
        _l("A concern to follow up"),
        description=_l("Each answer becomes a follow-up on the board (text questions only)."),
    )

    def question_data(self) -> QuestionData:
        return QuestionData(
            kind=QuestionKind(self.kind.data),
            label_ar=self.label_ar.data or "",
            label_fr=self.label_fr.data or "",
            required=self.required.data,
            is_concern=self.is_concern.data,
            choices_ar=self.choices_ar.data or "",
            choices_fr=self.choices_fr.data or "",
        )
