"""Door actions beyond a scan: registering a walk-in, undoing an admission, settling an
offline conflict."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from blueprints.auth.models import User
from blueprints.checkin import admission, rules
from blueprints.checkin.models import (
    CheckIn,
    CheckInConflict,
    CheckInMethod,
    CheckInResult,
    DoorDevice,
)
from blueprints.events.models import Event
from blueprints.rsvp import tickets
from blueprints.rsvp.models import Registration
from core import audit
from core.db import utcnow
from core.i18n import format_number
from core.phones import normalise_phone
from extensions import db


class CheckInError(Exception):
    """A door action that cannot be done; the message is translated."""


@dataclass
class WalkIn:
    full_name: str
    phone: str = ""
    company: str = ""
    trade: str = ""
    consent: bool = False
    locale: str = "ar"
    over_capacity: bool = False  # the door chose to let them in although the event is full


def walk_in(
    event: Event, data: WalkIn, door: str | None, by_user: User
) -> tuple[Registration, dict]:
    """Register someone who was not invited and admit them, in one step."""
    name = data.full_name.strip()
    if not name:
        raise CheckInError(_l("Enter the person's name."))
    if not data.consent:
        raise CheckInError(_l("The person must agree to their details being kept."))
    if not rules.doors_open(event, utcnow()):
        raise CheckInError(_l("The doors of this event are not open."))
    phone = None
    if data.phone.strip():
        phone = normalise_phone(data.phone)
        if phone is None:
            raise CheckInError(_l("This phone number is not valid."))
    try:
        registration = tickets.register_walk_in(
            event,
            full_name=name,
            phone=phone,
            company=data.company.strip(),
            trade=data.trade.strip(),
            locale=data.locale,
            over_capacity=data.over_capacity,
        )
    except tickets.EventFull as full:
        raise CheckInError(
            _l(
                "The event is full (places taken: %(taken)s / %(capacity)s). To let this person in "
                "all the same, tick “Admit over capacity”: it is noted in the log.",
                taken=format_number(full.taken),
                capacity=format_number(full.capacity),
            )
        ) from full
    over = _over_capacity(event, data.over_capacity)
    answer = admission.check_in_registration(
        event,
        registration.id,
        door,
        by_user=by_user,
        method=CheckInMethod.WALK_IN,
        note={"over_capacity": True} if over else None,
    )
    audit.record("checkin.walk_in", "registration", registration.id, detail={"event_id": event.id})
    return registration, answer


def _over_capacity(event: Event, chosen: bool) -> bool:
    """Whether this walk-in went beyond the capacity (only then is the choice logged)."""
    return chosen and tickets.places_taken(event) > event.capacity


def undo_last_admission(event: Event, by_user: User | None, device: DoorDevice | None = None):
    """Take back the last admission this account (or device) made at this event, if it is
    still the registration's current admission (not one made since by someone else); logged.
    """
    later = aliased(CheckIn)
    newer_admission = (
        sa.select(later.id)
        .where(
            later.registration_id == CheckIn.registration_id,
            later.result == CheckInResult.ADMITTED,
            later.id > CheckIn.id,
        )
        .exists()
    )
    query = (
        sa.select(CheckIn)
        .join(Registration, Registration.id == CheckIn.registration_id)
        .where(
            CheckIn.event_id == event.id,
            CheckIn.result == CheckInResult.ADMITTED,
            Registration.checked_in_at.is_not(None),
            ~newer_admission,
        )
        .order_by(CheckIn.id.desc())
        .limit(1)
    )
    if device is not None:
        query = query.where(CheckIn.device_id == device.id)
    else:
        query = query.where(CheckIn.user_id == by_user.id)
    last = db.session.scalar(query)
    if last is None:
        raise CheckInError(_l("There is no admission to undo."))
    changed = db.session.execute(
        audit.bulk(
            sa.update(Registration)
            .where(Registration.id == last.registration_id, Registration.checked_in_at.is_not(None))
            .values(checked_in_at=None, checked_in_door=None, checked_in_by_id=None)
            .execution_options(synchronize_session=False),
            "checkin.undo",
        )
    ).rowcount
    if changed != 1:
        raise CheckInError(_l("There is no admission to undo."))
    registration = last.registration
    db.session.add(
        CheckIn(
            organisation_id=event.organisation_id,
            event_id=event.id,
            registration_id=registration.id,
            door=last.door,
            device_id=device.id if device is not None else None,
            user_id=by_user.id if by_user is not None and device is None else None,
            method=CheckInMethod.UNDO,
            result=CheckInResult.UNDONE,
            answer={"undone": last.id},
        )
    )
    audit.record("checkin.undo", "registration", registration.id, detail={"event_id": event.id})
    db.session.flush()
    db.session.refresh(registration)
    return registration


def resolve_conflict(conflict: CheckInConflict) -> None:
    if conflict.resolved_at is None:
        conflict.resolved_at = utcnow()
        db.session.flush()
