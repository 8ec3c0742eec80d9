from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import Length, Optional, ValidationError

from blueprints.invitations.services import Audience
from core.text import is_whole_number, number_list


class AudienceForm(FlaskForm):
    everyone = BooleanField(_l("Everyone in the directory"))
    tags = SelectMultipleField(_l("Members with the tags"), validators=[Optional()])
    categories = SelectMultipleField(_l("Categories"), validators=[Optional()])
    trades = SelectMultipleField(_l("Trades"), validators=[Optional()])
    members = SelectMultipleField(
        _l("Chosen by hand"),
        coerce=int,
        validators=[Optional()],
        description=_l("Officials, partners and guests too: tick each person."),
    )
    preview = SubmitField(_l("Count the recipients"))
    confirm = SubmitField(_l("Send the invitations"))

    def audience(self) -> Audience:
        return Audience(
            everyone=bool(self.everyone.data),
            tags=list(self.tags.data or []),
            categories=list(self.categories.data or []),
            trades=list(self.trades.data or []),
            member_ids=list(self.members.data or []),
        )


class ScheduleForm(FlaskForm):
    days = StringField(
        _l("Remind those who have not answered, days before the event"),
        validators=[Length(max=40)],
        description=_l("For example: 3, 1. Leave empty for no automatic reminder."),
    )

    def validate_days(self, field):
        for part in number_list(field.data):
            if not is_whole_number(part) or int(part) > 60:
                raise ValidationError(_l("Give whole numbers of days between 0 and 60."))

    def day_list(self) -> list[int]:
        return [int(p) for p in number_list(self.days.data) if is_whole_number(p)]
