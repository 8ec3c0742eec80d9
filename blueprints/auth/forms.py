from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from core.roles import Role

MIN_PASSWORD = 10


def role_choices():
    return [
        (Role.OWNER.value, _l("Owner: everything, including staff accounts")),
        (Role.ORGANISER.value, _l("Organiser: events, members, invitations, surveys")),
        (Role.DOOR.value, _l("Door staff: check-in only")),
    ]


def locale_choices():
    return [("ar", "العربية"), ("fr", "Français"), ("en", "English")]


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)],
        description=lazy_ngettext(
            "At least %(num)s character.", "At least %(num)s characters.", MIN_PASSWORD
        ),
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two passwords differ."))],
    )


class StaffForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        _l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    role = SelectField(_l("Role"), choices=role_choices)
    locale = SelectField(_l("Language"), choices=locale_choices)


class NewStaffForm(StaffForm):
    password = PasswordField(
        _l("Temporary password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)],
        description=_l("Give it to the person; they can change it after signing in."),
    )


class EditStaffForm(StaffForm):
    active = BooleanField(_l("Account active"))
    password = PasswordField(_l("New password (leave empty to keep)"), validators=[Length(max=200)])

    def validate_password(self, field):
        if field.data and len(field.data) < MIN_PASSWORD:
            raise ValidationError(
                lazy_ngettext(
                    "At least %(num)s character.", "At least %(num)s characters.", MIN_PASSWORD
                )
            )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    new = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)],
        description=lazy_ngettext(
            "At least %(num)s character.", "At least %(num)s characters.", MIN_PASSWORD
        ),
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two passwords differ."))],
    )
