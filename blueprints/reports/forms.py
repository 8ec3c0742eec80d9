"""The organisers' notes of a meeting report, and the press release they edit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from blueprints.reports.press import BODY_MAX, TITLE_MAX
from blueprints.reports.services import NOTES_MAX


class NotesForm(FlaskForm):
    notes = TextAreaField(_l("The organisers' notes"), validators=[Length(max=NOTES_MAX)])


class PressReleaseForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_MAX)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=BODY_MAX)])


class RegenerateForm(FlaskForm):
    confirm = BooleanField(_l("Replace my edits with the text built from the data"))
