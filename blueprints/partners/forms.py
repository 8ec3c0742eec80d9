"""Partner forms: the invitation of a person of a partner body, their password, the
partner's answer."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Email, EqualTo, Length

from blueprints.auth.forms import MIN_PASSWORD, locale_choices
from blueprints.followups.models import MessageOutcome
from blueprints.followups.services import MAX_TEXT


class InviteForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        _l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    locale = SelectField(_l("Language"), choices=locale_choices)
    departments = TextAreaField(
        _l("Departments (optional)"),
        validators=[Length(max=2000)],
        description=_l(
            "One per line, as written on the follow-ups. Empty: every follow-up of the partner."
        ),
    )


class WelcomeForm(FlaskForm):
    password = PasswordField(
        _l("Choose a password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)],
        description=_l("Minimum length: %(n)s.", n=MIN_PASSWORD),
    )
    confirm = PasswordField(
        _l("The password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class AnswerForm(FlaskForm):
    body = TextAreaField(
        _l("Text of the answer"), validators=[DataRequired(), Length(max=MAX_TEXT)]
    )
    language = RadioField(
        _l("Language of the answer"),
        choices=[("ar", "العربية"), ("fr", "Français")],
        validators=[DataRequired()],
    )
    outcome = RadioField(
        _l("This answer"),
        choices=[
            (MessageOutcome.RESOLVED.value, _l("solves the problem")),
            (MessageOutcome.NEEDS_DOCUMENTS.value, _l("needs the member's documents")),
        ],
        validators=[DataRequired()],
    )


class ActiveForm(FlaskForm):
    """Deactivate ("0") or reactivate ("1") a partner account."""

    active = HiddenField(validators=[DataRequired(), AnyOf(["0", "1"])])
