"""The privacy forms: a confirmation box, the retention setting, the member's own forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from blueprints.members.forms import LOCALE_CHOICES
from core.fields import WholeNumberField
from core.phones import normalise_phone


class ConfirmForm(FlaskForm):
    confirm = BooleanField(_l("I confirm"), validators=[DataRequired()])


class RetentionForm(FlaskForm):
    retention_months = WholeNumberField(
        _l("Months after an event before its personal data is anonymised"),
        validators=[DataRequired(), NumberRange(min=1, max=120)],
    )


class AskLinkForm(FlaskForm):
    email = EmailField(_l("Your email address"), validators=[DataRequired(), Length(max=254)])


class CorrectForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    company = StringField(_l("Company"), validators=[Optional(), Length(max=200)])
    phone = TelField(_l("Phone"), validators=[Optional(), Length(max=40)])
    locale = SelectField(_l("Language"), choices=LOCALE_CHOICES)

    def validate_phone(self, field) -> None:
        if field.data and normalise_phone(field.data) is None:
            raise ValidationError(_l("This phone number is not valid."))

    def phone_value(self) -> str | None:
        return normalise_phone(self.phone.data) if self.phone.data else None


class ActionForm(FlaskForm):
    """A button (withdraw consent, ask for erasure): the CSRF token only."""
