"""Events: create, edit, publish, cancel, duplicate. Plain values in, domain errors out."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from blueprints.events.models import Event, EventStatus, ProgrammeItem
from blueprints.orgs.models import Partner
from core import i18n
from core.db import utcnow
from core.signals import capacity_raised, event_cancelled, event_changed
from extensions import db

EVENT_FIELDS = (
    "title_ar",
    "title_fr",
    "title_en",
    "description_ar",
    "description_fr",
    "description_en",
    "venue_name",
    "venue_name_ar",
    "venue_name_fr",
    "venue_address",
    "map_url",
    "capacity",
    "max_companions",
)


class EventError(Exception):
    pass


@dataclass
class ProgrammeLine:
    starts_at: time | None
    title_ar: str = ""
    title_fr: str = ""
    title_en: str = ""
    speaker_ar: str = ""
    speaker_fr: str = ""
    speaker_en: str = ""


@dataclass
class EventData:
    """What the organiser entered; datetimes are wall-clock times at the venue."""

    title_ar: str
    title_fr: str
    venue_name: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    title_en: str = ""
    description_ar: str = ""
    description_fr: str = ""
    description_en: str = ""
    venue_address: str = ""
    venue_name_ar: str = ""  # the venue in each language, when the organisers give it
    venue_name_fr: str = ""
    map_url: str = ""
    rsvp_deadline: datetime | None = None
    max_companions: int = 0
    cohost_ids: list[int] = field(default_factory=list)
    programme: list[ProgrammeLine] = field(default_factory=list)


def _check(data: EventData) -> None:
    if not (data.title_ar.strip() or data.title_fr.strip()):
        raise EventError(_l("Give the event a title in Arabic or French."))
    if data.ends_at <= data.starts_at:
        raise EventError(_l("The end must come after the start."))
    if data.capacity < 1:
        raise EventError(_l("The capacity must be at least 1."))
    if data.max_companions < 0:
        raise EventError(_l("Companions cannot be negative."))
    if data.rsvp_deadline and data.rsvp_deadline > data.starts_at:
        raise EventError(_l("The answer deadline must not be after the start."))


def _apply(event: Event, data: EventData) -> set[str]:
    """Copy `data` onto `event`; returns what changed that invitees must hear of."""
    _check(data)
    starts, ends = i18n.local_naive_to_utc(data.starts_at), i18n.local_naive_to_utc(data.ends_at)
    changes = set()
    if event.id is not None:
        if (event.starts_at, event.ends_at) != (starts, ends):
            changes.add("time")
        venue = ("venue_name", "venue_name_ar", "venue_name_fr", "venue_address")
        if any(getattr(event, name) != (getattr(data, name) or "").strip() for name in venue):
            changes.add("venue")
    for name in EVENT_FIELDS:
        value = getattr(data, name)
        setattr(event, name, value.strip() if isinstance(value, str) else value)
    event.starts_at, event.ends_at = starts, ends
    event.rsvp_deadline = (
        i18n.local_naive_to_utc(data.rsvp_deadline) if data.rsvp_deadline else None
    )
    event.cohosts = _partners(event.organisation_id, data.cohost_ids)
    event.programme = [
        ProgrammeItem(position=i, **vars(line)) for i, line in enumerate(data.programme)
    ]
    return changes


def _partners(organisation_id: int, ids: list[int]) -> list[Partner]:
    if not ids:
        return []
    partners = list(
        db.session.scalars(
            sa.select(Partner).where(
                Partner.organisation_id == organisation_id, Partner.id.in_(ids)
            )
        )
    )
    if len(partners) != len(set(ids)):
        raise EventError(_l("One of the co-hosts does not exist."))
    return partners


def create_event(organisation_id: int, data: EventData) -> Event:
    event = Event(organisation_id=organisation_id, status=EventStatus.DRAFT)
    _apply(event, data)
    db.session.add(event)
    db.session.flush()
    return event


# Features that hold places at an event (the RSVP) say how many are taken, so that the
# capacity is never set below them; events know nothing else of registrations.
_CAPACITY_FLOORS: list[Callable[[Event], int]] = []


def register_capacity_floor(taken: Callable[[Event], int]) -> None:
    if taken not in _CAPACITY_FLOORS:
        _CAPACITY_FLOORS.append(taken)


def places_taken(event: Event) -> int:
    return max((taken(event) for taken in _CAPACITY_FLOORS), default=0)


def update_event(event: Event, data: EventData, actor=None) -> set[str]:
    old_capacity = event.capacity
    if event.id is not None and data.capacity < old_capacity:
        taken = places_taken(event)
        if data.capacity < taken:
            raise EventError(
                _l(
                    "Places already taken (accepted people and their companions): %(taken)s. "
                    "The capacity cannot be lower than that.",
                    taken=i18n.format_number(taken),
                )
            )
    changes = _apply(event, data)
    if changes:  # calendars replace an entry only by a higher SEQUENCE
        event.calendar_sequence = (event.calendar_sequence or 0) + 1
    db.session.flush()
    if changes and event.status == EventStatus.PUBLISHED:
        event_changed.send(event, changes=changes, actor=actor)
    if event.capacity > old_capacity:
        capacity_raised.send(event)  # the waiting list moves up first
    return changes


def publish(event: Event, now: datetime | None = None) -> None:
    now = now or utcnow()
    if event.status != EventStatus.DRAFT:
        raise EventError(_l("Only a draft can be published."))
    if event.ends_at <= now:
        raise EventError(_l("This event is over; change its dates before publishing."))
    event.status = EventStatus.PUBLISHED
    event.published_at = now


def cancel(event: Event, actor=None) -> None:
    if event.status in (EventStatus.CANCELLED, EventStatus.CLOSED):
        raise EventError(_l("This event is already closed or cancelled."))
    was_published = event.status == EventStatus.PUBLISHED
    event.status = EventStatus.CANCELLED
    event.cancelled_at = utcnow()
    event.calendar_sequence = (event.calendar_sequence or 0) + 1
    if was_published:
        event_cancelled.send(event, actor=actor)


def close(event: Event) -> None:
    if event.status != EventStatus.PUBLISHED:
        raise EventError(_l("Only a published event can be closed."))
    event.status = EventStatus.CLOSED


def add_months(value: datetime, months: int) -> datetime:
    """The same day-of-month and clock time `months` later (the last day if it is shorter)."""
    month_index = value.month - 1 + months
    year, month = value.year + month_index // 12, month_index % 12 + 1
    day = min(value.day, calendar.monthrange(year, month)[1])
    return value.replace(year=year, month=month, day=day)


def duplicate(event: Event, months: int = 1) -> Event:
    """A draft copy `months` later, at the same local clock time (the 'same meeting next month')."""

    def shift(value: datetime | None) -> datetime | None:
        if value is None:
            return None
        local = i18n.to_local(value).replace(tzinfo=None)
        return i18n.local_naive_to_utc(add_months(local, months))

    copy = Event(organisation_id=event.organisation_id, status=EventStatus.DRAFT)
    for name in EVENT_FIELDS:
        setattr(copy, name, getattr(event, name))
    copy.starts_at, copy.ends_at = shift(event.starts_at), shift(event.ends_at)
    copy.rsvp_deadline = shift(event.rsvp_deadline)
    copy.cohosts = list(event.cohosts)
    copy.programme = [
        ProgrammeItem(
            position=item.position,
            starts_at=item.starts_at,
            title_ar=item.title_ar,
            title_fr=item.title_fr,
            title_en=item.title_en,
            speaker_ar=item.speaker_ar,
            speaker_fr=item.speaker_fr,
            speaker_en=item.speaker_en,
        )
        for item in event.programme
    ]
    db.session.add(copy)
    db.session.flush()
    return copy


def events_page(organisation_id: int, *, status: str | None, query: str, page: int, per_page: int):
    stmt = sa.select(Event).where(Event.organisation_id == organisation_id)
    if status in {s.value for s in EventStatus}:
        stmt = stmt.where(Event.status == EventStatus(status))
    if query:
        like = f"%{query.strip()[:100]}%"
        stmt = stmt.where(
            sa.or_(
                Event.title_ar.ilike(like),
                Event.title_fr.ilike(like),
                Event.title_en.ilike(like),
                Event.venue_name.ilike(like),
            )
        )
    stmt = stmt.order_by(Event.starts_at.desc(), Event.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def published_event_or_none(public_id: str) -> Event | None:
    event = db.session.scalar(sa.select(Event).where(Event.public_id == public_id[:16]))
    if event is None or not event.is_public:
        return None
    return event


def upcoming_for(organisation_id: int, limit: int = 5) -> list[Event]:
    return list(
        db.session.scalars(
            sa.select(Event)
            .where(
                Event.organisation_id == organisation_id,
                Event.ends_at >= utcnow() - timedelta(days=1),
                Event.status.in_([EventStatus.DRAFT, EventStatus.PUBLISHED]),
            )
            .order_by(Event.starts_at)
            .limit(limit)
        )
    )
