"""Forms of the door and of the organiser's door settings."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import DataRequired, Length, Optional

from blueprints.checkin.door import WalkIn


class WalkInForm(FlaskForm):
    door = HiddenField(validators=[Optional(), Length(max=40)])
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    company = StringField(_l("Company"), validators=[Optional(), Length(max=200)])
    trade = StringField(_l("Trade"), validators=[Optional(), Length(max=60)])
    consent = BooleanField(
        _l("The person agrees that their details are kept for this meeting"),
        validators=[DataRequired()],
    )
    over_capacity = BooleanField(_l("Admit over capacity (the event is full): noted in the log"))

    def walk_in_data(self, locale: str) -> WalkIn:
        return WalkIn(
            full_name=self.full_name.data or "",
            phone=self.phone.data or "",
            company=self.company.data or "",
            trade=self.trade.data or "",
            consent=bool(self.consent.data),
            locale=locale,
            over_capacity=bool(self.over_capacity.data),
        )


class DoorActionForm(FlaskForm):
    """A button (undo, admit): only the CSRF token and the door."""

    door = HiddenField(validators=[Optional(), Length(max=40)])


class DeviceForm(FlaskForm):
    door = StringField(_l("Door"), validators=[DataRequired(), Length(max=40)], default="A")
    label = StringField(_l("Device name"), validators=[Optional(), Length(max=80)])


class ConfirmForm(FlaskForm):
    """Only the CSRF token."""
