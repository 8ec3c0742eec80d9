from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from blueprints.members import importer
from blueprints.members.models import MemberCategory
from blueprints.members.services import MemberData
from core.phones import normalise_phone

LOCALE_CHOICES = [("ar", "العربية"), ("fr", "Français"), ("en", "English")]


def category_choices():
    labels = {
        MemberCategory.MEMBER: _l("Member"),
        MemberCategory.OFFICIAL: _l("Official"),
        MemberCategory.PARTNER: _l("Partner"),
        MemberCategory.PRESS: _l("Press"),
        MemberCategory.GUEST: _l("Guest"),
    }
    return [(c.value, labels[c]) for c in MemberCategory]


class MemberForm(FlaskForm):
    full_name = StringField(
        _l("Full name"), validators=[DataRequired(), Length(max=200)], description=_l("Any script.")
    )
    company = StringField(_l("Company"), validators=[Length(max=200)])
    trade = StringField(_l("Trade or sector"), validators=[Length(max=60)])
    city = StringField(_l("City"), validators=[Length(max=100)])
    email = EmailField(
        _l("Email"),
        validators=[Optional(), Email(message=_l("Enter a valid email address.")), Length(max=254)],
    )
    phone = TelField(
        _l("Phone"),
        validators=[Optional(), Length(max=40)],
        description=_l("For example 06 12 34 56 78."),
    )
    locale = SelectField(_l("Preferred language"), choices=LOCALE_CHOICES, default="ar")
    category = SelectField(_l("Category"), choices=[], default=MemberCategory.MEMBER.value)
    tags = StringField(
        _l("Tags"), validators=[Length(max=500)], description=_l("Separated by commas.")
    )
    notes = TextAreaField(_l("Notes"), validators=[Length(max=5000)])
    ice = StringField(
        _l("ICE"), validators=[Optional(), Length(max=20)], description=_l("15 digits.")
    )
    cnss_number = StringField(
        _l("CNSS affiliation number"), validators=[Optional(), Length(max=20)]
    )
    consent = BooleanField(_l("Agreed to be contacted by the association (law 09-08)"))
    consent_source = StringField(
        _l("How the agreement was given"),
        validators=[Length(max=120)],
        description=_l("For example: membership form, phone call, meeting sign-up sheet."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = category_choices()

    def validate_phone(self, field):
        if field.data and normalise_phone(field.data) is None:
            raise ValidationError(_l("The phone number is not valid."))

    def validate_ice(self, field):
        value = (field.data or "").replace(" ", "")
        if value and not importer.valid_ice(value):
            raise ValidationError(_l("The ICE must be 15 digits."))

    def to_data(self) -> MemberData:
        return MemberData(
            full_name=self.full_name.data or "",
            company=self.company.data or "",
            trade=self.trade.data or "",
            city=self.city.data or "",
            email=self.email.data or None,
            phone=self.phone.data or None,
            locale=self.locale.data,
            category=self.category.data,
            tags=importer.split_tags(self.tags.data or ""),
            notes=self.notes.data or "",
            ice=self.ice.data or None,
            cnss_number=self.cnss_number.data or None,
            consent=bool(self.consent.data),
            consent_source=self.consent_source.data or "",
        )


class ImportUploadForm(FlaskForm):
    file = FileField(
        _l("CSV or Excel file"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(
                ["csv", "txt", "tsv", "xlsx", "xls", "ods"], _l("Only CSV and Excel (.xlsx) files.")
            ),
        ],
        description=_l(
            "At most 20 MB and 100,000 rows. The column names may come after a title row."
        ),
    )


class ImportMappingForm(FlaskForm):
    columns = FieldList(
        SelectField(choices=[], validate_choice=True), max_entries=importer.MAX_COLUMNS
    )

    def set_columns(self, header: list[str], mapping: dict[str, str]) -> None:
        choices = [("", _l("(ignore this column)"))] + list(importer.FIELD_LABELS.items())
        if not self.is_submitted():
            while len(self.columns):
                self.columns.pop_entry()
            for index in range(len(header)):
                self.columns.append_entry(mapping.get(str(index), ""))
        for entry, title in zip(self.columns, header, strict=False):
            entry.choices = choices
            entry.label.text = title or "—"

    def mapping(self) -> dict[str, str]:
        return {str(i): entry.data for i, entry in enumerate(self.columns) if entry.data}


class ImportConfirmForm(FlaskForm):
    update_existing = BooleanField(_l("Update the members already in the directory"))
    consent = BooleanField(
        _l("The people in this file agreed to be contacted by the association (law 09-08)"),
        validators=[DataRequired(_l("Confirm that these people agreed to be contacted."))],
    )
