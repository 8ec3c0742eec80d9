"""Follow-up forms: a concern noted by staff, and the organiser's update."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from blueprints.followups.models import FollowUpStatus
from blueprints.followups.services import MAX_TEXT, FollowUpChange

STATUS_LABELS = {
    FollowUpStatus.OPEN: _l("Open"),
    FollowUpStatus.IN_PROGRESS: _l("In progress"),
    FollowUpStatus.NEEDS_DOCUMENTS: _l("Needs the member's documents"),
    FollowUpStatus.RESOLVED: _l("Resolved"),
}


class _Routing:
    """The partner (one of the organisation's) or department a follow-up goes to."""

    def set_partners(self, partners, locale_name) -> None:
        self.partner_id.choices = [("", "—")] + [(str(p.id), locale_name(p)) for p in partners]

    def routed_partner_id(self) -> int | None:
        raw = self.partner_id.data or ""
        return int(raw) if raw.isdigit() else None


class ConcernForm(_Routing, FlaskForm):
    text = TextAreaField(_l("The concern"), validators=[DataRequired(), Length(max=MAX_TEXT)])
    raised_by_name = StringField(_l("Raised by (optional)"), validators=[Length(max=200)])
    raised_by_contact = StringField(_l("Phone or email (optional)"), validators=[Length(max=254)])
    partner_id = SelectField(
        _l("Route to a partner (optional)"), coerce=str, validators=[Optional()]
    )
    department = StringField(
        _l("Or department (optional)"),
        validators=[Length(max=120)],
        description=_l("For example: collection, inspection, human resources."),
    )


class FollowUpForm(_Routing, FlaskForm):
    status = SelectField(
        _l("Status"), choices=[(s.value, label) for s, label in STATUS_LABELS.items()]
    )
    partner_id = SelectField(_l("Assigned partner"), coerce=str, validators=[Optional()])
    department = StringField(
        _l("Or department"),
        validators=[Length(max=120)],
        description=_l("For example: collection, inspection, human resources."),
    )
    resolution = TextAreaField(_l("Answer / resolution note"), validators=[Length(max=MAX_TEXT)])

    def change(self) -> FollowUpChange:
        return FollowUpChange(
            status=FollowUpStatus(self.status.data),
            partner_id=self.routed_partner_id(),
            department=self.department.data or "",
            resolution=self.resolution.data or "",
        )


class ReplyForm(FlaskForm):
    """The member's one reply to an answer."""

    verdict = RadioField(
        _l("Is your problem solved?"),
        choices=[("solved", _l("Yes, it is solved")), ("not_solved", _l("No, still not solved"))],
        validators=[DataRequired()],
    )
    text = TextAreaField(_l("Your message (optional if solved)"), validators=[Length(max=MAX_TEXT)])
