"""What the RSVP tells other features through their hooks: who is coming to an event
(the invitations' change notices reach them) and the link a notice gives each one."""

from __future__ import annotations

import sqlalchemy as sa

from blueprints.events.models import Event
from blueprints.invitations.notices import Attendee
from blueprints.rsvp import seats, tickets
from blueprints.rsvp.models import Registration, RegistrationStatus
from core.outbox import OutboxMessage, OutboxState
from extensions import db

NOT_COMING = (
    RegistrationStatus.DECLINED,
    RegistrationStatus.CANCELLED,
    RegistrationStatus.REJECTED,
)


def notice_attendees(event: Event) -> list[Attendee]:
    rows = db.session.execute(
        sa.select(
            Registration.id,
            Registration.email,
            Registration.full_name,
            Registration.locale,
            Registration.status,
            Registration.invitation_id,
            Registration.member_id,
        )
        .where(Registration.event_id == event.id)
        .order_by(Registration.id)
    )
    return [
        Attendee(
            registration_id=row.id,
            email=row.email,
            name=row.full_name,
            locale=row.locale,
            coming=row.status not in NOT_COMING,
            invitation_id=row.invitation_id,
            member_id=row.member_id,
        )
        for row in rows
    ]


def notice_link(registration_id: int) -> str | None:
    """The ticket of a registration that still has one."""
    registration = db.session.get(Registration, registration_id)
    code = registration.ticket_code if registration else None
    return tickets.ticket_url(code) if code else None


def on_capacity_raised(event: Event, **_) -> None:
    """More places: those waiting get them first, in order, with their tickets."""
    seats.lock_event(event)
    seats.promote_waitlist(event)


def on_event_cancelled(event: Event, **_) -> None:
    """Tickets, waiting-list news and confirmations of a cancelled event do not leave."""
    registrations = sa.select(Registration.id).where(Registration.event_id == event.id)
    db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.about("registration", registrations),
            OutboxMessage.kind.like("rsvp_%"),
            OutboxMessage.state == OutboxState.QUEUED,
        )
        .values(state=OutboxState.CANCELLED, last_error="the event was cancelled")
        .execution_options(synchronize_session=False)
    )
