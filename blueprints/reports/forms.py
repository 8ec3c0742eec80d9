"""The organisers' notes of a meeting report."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from blueprints.reports.services import NOTES_MAX


class NotesForm(FlaskForm):
    notes = TextAreaField(_l("The organisers' notes"), validators=[Length(max=NOTES_MAX)])
