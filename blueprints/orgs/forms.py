from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from blueprints.orgs.models import PartnerKind


class OrganisationForm(FlaskForm):
    name_ar = StringField(_l("Name (Arabic)"), validators=[Length(max=200)])
    name_fr = StringField(_l("Name (French)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=200)])
    sender_name = StringField(
        _l("Sender name in emails"),
        validators=[DataRequired(), Length(max=120)],
        description=_l(
            "Emails come from the organisation's name in each recipient's language; this "
            "name is used where the organisation has none in that language."
        ),
    )
    reply_to = EmailField(
        _l("Reply-To address"),
        validators=[Optional(), Email(check_deliverability=False), Length(max=254)],
        description=_l("Answers to invitations go here."),
    )
    consent_text_ar = TextAreaField(_l("Consent wording (Arabic)"), validators=[Length(max=2000)])
    consent_text_fr = TextAreaField(_l("Consent wording (French)"), validators=[Length(max=2000)])
    consent_text_en = TextAreaField(_l("Consent wording (English)"), validators=[Length(max=2000)])


class PartnerForm(FlaskForm):
    name_fr = StringField(_l("Name (French)"), validators=[DataRequired(), Length(max=200)])
    name_ar = StringField(_l("Name (Arabic)"), validators=[Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=200)])
    kind = SelectField(
        _l("Kind"),
        choices=[
            (PartnerKind.PUBLIC_BODY.value, _l("Public body")),
            (PartnerKind.ASSOCIATION.value, _l("Association")),
            (PartnerKind.COMPANY.value, _l("Company")),
        ],
    )
    digest_days = IntegerField(
        _l("Weekly email to the partner's accounts: follow-ups open for at least (days)"),
        default=7,
        validators=[Optional(), NumberRange(min=1, max=90)],
    )
