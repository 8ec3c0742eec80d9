"""RSVP forms. The invitee's form is built per event from the organiser's questions."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from blueprints.rsvp.answers import RsvpData, Visitor
from blueprints.rsvp.models import Question, QuestionKind
from core.fields import NumberField
from core.i18n import CachedFormTranslations, localized
from core.phones import normalise_phone


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class WhenAccepting:
    """Required only when the answer is "accept"; otherwise the field may stay empty."""

    def __init__(self, required: bool):
        self.required = required
        self.field_flags = {}

    def __call__(self, form, field):
        empty = field.data in (None, "", []) or (
            isinstance(field.data, str) and not field.data.strip()
        )
        if empty and field.raw_data and any(str(v).strip() for v in field.raw_data):
            return  # something was typed that could not be read: let the type check speak
        if not empty:
            return
        field.errors[:] = []
        accepting = getattr(form, "answer", None) is None or form.answer.data == "accept"
        if self.required and accepting:
            raise StopValidation(_l("Please answer this question."))
        raise StopValidation()


class FiniteNumber:
    def __call__(self, form, field):
        if field.data is not None and not field.data.is_finite():
            raise StopValidation(_l("Enter a number."))


class PhoneCheck:
    def __call__(self, form, field):
        if field.data and normalise_phone(field.data) is None:
            raise ValidationError(_l("Enter a valid phone number, for example 06 12 34 56 78."))


class BaseAnswerForm(FlaskForm):
    """The part every RSVP form shares; question fields are added as q_<id>."""

    class Meta(CachedFormTranslations.Meta):  # the busiest public form: no catalogue per request
        pass

    companions = FieldList(
        StringField(_l("Companion's name"), validators=[Optional(), Length(max=200)]),
        min_entries=0,
    )
    consent = BooleanField()

    question_fields: list[tuple[Question, str]] = []

    def validate_consent(self, field):
        accepting = getattr(self, "answer", None) is None or self.answer.data == "accept"
        if accepting and not field.data:
            raise ValidationError(_l("Please tick this box to continue."))

    def answers(self) -> dict[int, str]:
        """Question id -> the stored value (choices as line numbers)."""
        result = {}
        for question, name in self.question_fields:
            data = self[name].data
            if question.kind == QuestionKind.MULTIPLE_CHOICE:
                value = ",".join(sorted(set(data or []), key=int))
            elif question.kind == QuestionKind.DATE:
                value = data.isoformat() if data else ""
            elif question.kind == QuestionKind.NUMBER:
                value = _plain_number(data) if data is not None else ""
            elif question.kind == QuestionKind.PHONE:
                value = normalise_phone(data) or "" if data else ""
            elif question.kind == QuestionKind.EMAIL:
                value = (data or "").strip().lower()
            else:
                value = (data or "").strip()
            result[question.id] = value
        return result

    def companion_names(self) -> list[str]:
        return [
            (entry.data or "").strip() for entry in self.companions if (entry.data or "").strip()
        ]


def _plain_number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


class InvitationAnswerForm(BaseAnswerForm):
    answer = RadioField(
        _l("Your answer"),
        choices=[("accept", _l("I will come")), ("decline", _l("I cannot come"))],
        validators=[InputRequired(message=_l("Please choose an answer."))],
    )
    decline_reason = TextAreaField(_l("Reason (optional)"), validators=[Length(max=2000)])

    def rsvp_data(self, locale: str) -> RsvpData:
        return RsvpData(
            accept=self.answer.data == "accept",
            locale=locale,
            companion_names=self.companion_names(),
            consent=bool(self.consent.data),
            decline_reason=self.decline_reason.data or "",
            answers=self.answers(),
            questions=[question for question, _name in self.question_fields],
        )


class OpenRegistrationForm(BaseAnswerForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
        description=_l("We send you a link to confirm your place."),
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40), PhoneCheck()])
    company = StringField(_l("Company"), validators=[Length(max=200)])
    trade = StringField(_l("Trade or activity"), validators=[Length(max=60)])
    # A field people never see: software that fills every field fills this one too.
    website = StringField(_l("Leave this field empty"), validators=[Length(max=200)])

    def visitor(self) -> Visitor:
        return Visitor(
            full_name=self.full_name.data,
            email=self.email.data,
            phone=normalise_phone(self.phone.data),
            company=self.company.data or "",
            trade=self.trade.data or "",
        )

    def rsvp_data(self, locale: str) -> RsvpData:
        return RsvpData(
            accept=True,
            locale=locale,
            companion_names=self.companion_names(),
            consent=bool(self.consent.data),
            answers=self.answers(),
            questions=[question for question, _name in self.question_fields],
        )


def _question_field(question: Question, locale: str):
    label = localized_label(question, "label", locale)
    description = localized_label(question, "help", locale)
    check = WhenAccepting(question.required)
    kind = question.kind
    common = {"label": label, "description": description}
    if kind == QuestionKind.SHORT_TEXT:
        return StringField(validators=[check, Length(max=500)], **common)
    if kind == QuestionKind.LONG_TEXT:
        return TextAreaField(validators=[check, Length(max=5000)], **common)
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.YES_NO):
        if kind == QuestionKind.YES_NO:
            choices = [("yes", _l("Yes")), ("no", _l("No"))]
        else:
            choices = [(str(i), text) for i, text in enumerate(question.choices(locale))]
        return RadioField(choices=choices, validators=[check], validate_choice=True, **common)
    if kind == QuestionKind.MULTIPLE_CHOICE:
        choices = [(str(i), text) for i, text in enumerate(question.choices(locale))]
        return MultiCheckboxField(choices=choices, validators=[check], **common)
    if kind == QuestionKind.NUMBER:
        return NumberField(
            validators=[check, FiniteNumber(), NumberRange(min=-1e12, max=1e12)],
            **common,
        )
    if kind == QuestionKind.PHONE:
        return StringField(validators=[check, Length(max=40), PhoneCheck()], **common)
    if kind == QuestionKind.EMAIL:
        return EmailField(
            validators=[check, Length(max=254), Email(check_deliverability=False)], **common
        )
    if kind == QuestionKind.DATE:
        return DateField(validators=[check], **common)
    raise ValueError(kind)


def localized_label(question: Question, field: str, locale: str) -> str:
    return localized(question, field, locale)


def answer_form(
    base: type[BaseAnswerForm],
    questions: list[Question],
    locale: str,
    max_companions: int,
    **kwargs,
):
    """A form class for this event: its questions and as many companion rows as allowed."""

    class EventAnswerForm(base):
        pass

    fields = []
    for question in questions:
        name = f"q_{question.id}"
        setattr(EventAnswerForm, name, _question_field(question, locale))
        fields.append((question, name))
    EventAnswerForm.question_fields = fields
    EventAnswerForm.companions = FieldList(
        StringField(_l("Companion's name"), validators=[Optional(), Length(max=200)]),
        min_entries=max_companions,
        max_entries=max_companions,
    )
    return EventAnswerForm(**kwargs)


class QuestionForm(FlaskForm):
    kind = SelectField(
        _l("Kind"),
        choices=[
            (QuestionKind.SHORT_TEXT.value, _l("Short text")),
            (QuestionKind.LONG_TEXT.value, _l("Long text")),
            (QuestionKind.SINGLE_CHOICE.value, _l("One choice")),
            (QuestionKind.MULTIPLE_CHOICE.value, _l("Several choices")),
            (QuestionKind.YES_NO.value, _l("Yes or no")),
            (QuestionKind.NUMBER.value, _l("Number")),
            (QuestionKind.PHONE.value, _l("Phone")),
            (QuestionKind.EMAIL.value, _l("Email")),
            (QuestionKind.DATE.value, _l("Date")),
        ],
    )
    label_ar = StringField(_l("Question (Arabic)"), validators=[Length(max=300)])
    label_fr = StringField(_l("Question (French)"), validators=[Length(max=300)])
    help_ar = StringField(_l("Help text (Arabic)"), validators=[Length(max=500)])
    help_fr = StringField(_l("Help text (French)"), validators=[Length(max=500)])
    choices_ar = TextAreaField(_l("Choices (Arabic), one per line"), validators=[Length(max=5000)])
    choices_fr = TextAreaField(
        _l("Choices (French), one per line"),
        validators=[Length(max=5000)],
        description=_l("Only for choice questions. Same order in both languages."),
    )
    required = BooleanField(_l("An answer to this question is required"))
    is_concern = BooleanField(
        _l("A concern to follow up"),
        description=_l(
            "The answers to this question are collected for follow-up after the meeting."
        ),
    )

    def validate_label_fr(self, field):
        if not (field.data or "").strip() and not (self.label_ar.data or "").strip():
            raise ValidationError(_l("Give the question a label in Arabic or French."))


class SettingsForm(FlaskForm):
    open_registration = BooleanField(
        _l("Open registration"),
        description=_l("A public form on the event page for people who were not invited."),
    )
    requires_approval = BooleanField(
        _l("The organiser approves each open registration"),
    )
