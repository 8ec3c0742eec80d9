from datetime import time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    FieldList,
    FormField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from blueprints.events.services import EventData, ProgrammeLine
from core import i18n
from core.fields import WholeNumberField

BLANK_PROGRAMME_ROWS = 3
TEXT_FIELDS = ("title_ar", "title_fr", "title_en", "speaker_ar", "speaker_fr", "speaker_en")


class ProgrammeItemForm(FlaskForm):
    class Meta:
        csrf = False  # the enclosing event form carries the token

    starts_at = TimeField(_l("Time"), validators=[Optional()])
    title_ar = StringField(_l("Title (Arabic)"), validators=[Length(max=200)])
    title_fr = StringField(_l("Title (French)"), validators=[Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=200)])
    speaker_ar = StringField(_l("Speaker or role (Arabic)"), validators=[Length(max=200)])
    speaker_fr = StringField(_l("Speaker or role (French)"), validators=[Length(max=200)])
    speaker_en = StringField(_l("Speaker or role (English)"), validators=[Length(max=200)])

    @property
    def is_blank(self) -> bool:
        return not any(
            (self[name].data or "").strip()
            for name in (
                "title_ar",
                "title_fr",
                "title_en",
                "speaker_ar",
                "speaker_fr",
                "speaker_en",
            )
        )

    def validate_title_fr(self, field):
        if not self.is_blank and not (self.title_ar.data or "").strip() and not field.data:
            raise ValidationError(_l("Give the item a title in Arabic or French."))


class EventForm(FlaskForm):
    title_ar = StringField(_l("Title (Arabic)"), validators=[Length(max=200)])
    title_fr = StringField(_l("Title (French)"), validators=[Length(max=200)])
    title_en = StringField(_l("Title (English, optional)"), validators=[Length(max=200)])
    description_ar = TextAreaField(_l("Description (Arabic)"), validators=[Length(max=5000)])
    description_fr = TextAreaField(_l("Description (French)"), validators=[Length(max=5000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Length(max=5000)])
    venue_name = StringField(_l("Venue"), validators=[DataRequired(), Length(max=200)])
    venue_name_ar = StringField(_l("Venue in Arabic (optional)"), validators=[Length(max=200)])
    venue_name_fr = StringField(_l("Venue in French (optional)"), validators=[Length(max=200)])
    venue_address = StringField(_l("Address"), validators=[Length(max=300)])
    map_url = URLField(
        _l("Map link"),
        validators=[
            Optional(),
            URL(require_tld=True, message=_l("Enter a full web address.")),
            Length(max=500),
        ],
        description=_l("For example an OpenStreetMap or Google Maps link."),
    )
    starts_at = DateTimeLocalField(
        _l("Starts"),
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired()],
        description=_l("Local time at the venue."),
    )
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    capacity = WholeNumberField(
        _l("Capacity (people, companions included)"),
        validators=[InputRequired(), NumberRange(min=1, max=100000)],
    )
    rsvp_deadline = DateTimeLocalField(
        _l("Answers accepted until"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description=_l("Leave empty to accept answers until the start."),
    )
    max_companions = WholeNumberField(
        _l("Companions allowed per invitee"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=20)],
    )
    cohosts = SelectMultipleField(_l("Co-hosts"), coerce=int, validators=[Optional()])
    programme = FieldList(
        FormField(ProgrammeItemForm), label=_l("Programme"), min_entries=1, max_entries=40
    )

    def validate_title_fr(self, field):
        if not (field.data or "").strip() and not (self.title_ar.data or "").strip():
            raise ValidationError(_l("Give the event a title in Arabic or French."))

    def validate_ends_at(self, field):
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The end must come after the start."))

    def validate_rsvp_deadline(self, field):
        if field.data and self.starts_at.data and field.data > self.starts_at.data:
            raise ValidationError(_l("The answer deadline must not be after the start."))


def event_form_for(event, partners):
    """The edit form for `event` (or a blank one), with blank programme rows to fill in."""
    form = EventForm()
    form.cohosts.choices = [(p.id, i18n.localized(p, "name")) for p in partners]
    if form.is_submitted():
        return form
    if event is not None:
        form.process(obj=event)
        form.starts_at.data = i18n.to_local(event.starts_at).replace(tzinfo=None)
        form.ends_at.data = i18n.to_local(event.ends_at).replace(tzinfo=None)
        if event.rsvp_deadline:
            form.rsvp_deadline.data = i18n.to_local(event.rsvp_deadline).replace(tzinfo=None)
        form.cohosts.data = [p.id for p in event.cohosts]
        while len(form.programme):
            form.programme.pop_entry()
        for item in event.programme:
            form.programme.append_entry(item)
    else:
        form.capacity.data = 100
        form.max_companions.data = 0
    filled = len([row for row in form.programme if not row.form.is_blank])
    while len(form.programme) < filled + BLANK_PROGRAMME_ROWS:
        form.programme.append_entry()
    return form


def event_data_from(form):
    lines = [
        ProgrammeLine(
            starts_at=row.form.starts_at.data,
            title_ar=(row.form.title_ar.data or "").strip(),
            title_fr=(row.form.title_fr.data or "").strip(),
            title_en=(row.form.title_en.data or "").strip(),
            speaker_ar=(row.form.speaker_ar.data or "").strip(),
            speaker_fr=(row.form.speaker_fr.data or "").strip(),
            speaker_en=(row.form.speaker_en.data or "").strip(),
        )
        for row in form.programme
        if not row.form.is_blank
    ]
    lines.sort(key=lambda line: (line.starts_at is None, line.starts_at or time.min))
    return EventData(
        title_ar=form.title_ar.data or "",
        title_fr=form.title_fr.data or "",
        title_en=form.title_en.data or "",
        description_ar=form.description_ar.data or "",
        description_fr=form.description_fr.data or "",
        description_en=form.description_en.data or "",
        venue_name=form.venue_name.data or "",
        venue_address=form.venue_address.data or "",
        venue_name_ar=form.venue_name_ar.data or "",
        venue_name_fr=form.venue_name_fr.data or "",
        map_url=form.map_url.data or "",
        starts_at=form.starts_at.data,
        ends_at=form.ends_at.data,
        capacity=form.capacity.data,
        rsvp_deadline=form.rsvp_deadline.data,
        max_companions=form.max_companions.data or 0,
        cohost_ids=list(form.cohosts.data or []),
        programme=lines,
    )
