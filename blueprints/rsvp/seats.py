"""Seats: the event lock, accepting, the waiting list and its promotions, tickets.

Every change that takes or frees a place first locks the event row (see `lock_event`), so
that counting the accepted people and writing the new status happen as one step, whoever
else answers at that moment. Plain values in, domain errors out; the caller commits.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from blueprints.events.models import Event, EventStatus
from blueprints.rsvp.errors import RsvpError
from blueprints.rsvp.models import (
    Registration,
    RegistrationStatus,
    RevokedTicket,
)
from core import audit
from core.db import utcnow
from core.outbox import OutboxMessage, OutboxState, enqueue_many
from core.tokens import new_token
from extensions import db

FINAL_STATUSES = (
    RegistrationStatus.DECLINED,
    RegistrationStatus.CANCELLED,
    RegistrationStatus.REJECTED,
)


def accepted_seats(event_id: int, excluding: int | None = None) -> int:
    """People holding a place: accepted registrations and their companions."""
    stmt = sa.select(sa.func.coalesce(sa.func.sum(1 + Registration.companions), 0)).where(
        Registration.event_id == event_id, Registration.status == RegistrationStatus.ACCEPTED
    )
    if excluding is not None:
        stmt = stmt.where(Registration.id != excluding)
    return int(db.session.scalar(stmt) or 0)


def _seats_and_waiting(event_id: int) -> tuple[int, int]:
    """The places held (as `accepted_seats`) and how many wait, in one statement."""
    accepted = Registration.status == RegistrationStatus.ACCEPTED
    waiting = Registration.status == RegistrationStatus.WAITLISTED
    row = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(sa.case((accepted, 1 + Registration.companions))), 0),
            sa.func.coalesce(sa.func.sum(sa.case((waiting, 1))), 0),
        ).where(
            Registration.event_id == event_id,
            Registration.status.in_([RegistrationStatus.ACCEPTED, RegistrationStatus.WAITLISTED]),
        )
    ).one()
    return int(row[0]), int(row[1])


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        sa.select(sa.func.count(Registration.id)).where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            sa.or_(
                Registration.waitlisted_at < registration.waitlisted_at,
                sa.and_(
                    Registration.waitlisted_at == registration.waitlisted_at,
                    Registration.id < registration.id,
                ),
            ),
        )
    )
    return int(ahead or 0) + 1


def lock_event(event: Event) -> None:
    """Serialise every place-changing transaction of one event.

    PostgreSQL: SELECT … FOR UPDATE on the event row, held until commit.
    SQLite: a no-op UPDATE of the event row is the transaction's first write, which takes
    the database's write lock (as BEGIN IMMEDIATE would) before anything is counted; the
    other writers wait for it (busy_timeout).
    """
    # One statement that also reads the row back into `event` (populate_existing): the
    # capacity and status as they are now, under the lock.
    if db.session.get_bind().dialect.name == "postgresql":
        stmt = sa.select(Event).where(Event.id == event.id).with_for_update()
    else:
        stmt = audit.bulk(
            sa.update(Event)
            .where(Event.id == event.id)
            .values(capacity=Event.capacity, updated_at=Event.updated_at)
            .returning(Event),
            "none: a no-op UPDATE that takes the write lock",
        ).execution_options(synchronize_session=False)
    db.session.execute(stmt.execution_options(populate_existing=True)).scalar_one()


def free_seats(event: Event, excluding: int | None = None) -> int:
    return event.capacity - accepted_seats(event.id, excluding)


def accept(registration: Registration, reason: str, now: datetime) -> None:
    registration.status = RegistrationStatus.ACCEPTED
    registration.waitlisted_at = None
    if not registration.ticket_code_hash:
        registration.ticket_code = new_token()
        registration.ticket_issued_at = now
        db.session.flush()
        send_ticket(registration, reason)


def waitlist(registration: Registration, now: datetime) -> None:
    registration.status = RegistrationStatus.WAITLISTED
    registration.waitlisted_at = registration.waitlisted_at or now
    drop_ticket(registration, now)
    db.session.flush()
    send(registration, "rsvp_waitlisted", f"{registration.waitlisted_at.timestamp():.0f}")


def place(registration: Registration, event: Event, now: datetime) -> None:
    """Accept if the person and companions fit once those already waiting have had their
    turn (first come, first served), else the end of the waiting list."""
    _promoted, free = _promote(event, now)
    if free is None:  # not counted: the event is not open to promotions
        free = free_seats(event)
    if registration.status == RegistrationStatus.ACCEPTED:
        free += registration.seats  # the places it already holds are its own
    if registration.seats <= free:
        accept(registration, "accepted", now)
    else:
        waitlist(registration, now)


def drop_ticket(registration: Registration, now: datetime) -> None:
    if registration.ticket_code_hash:
        db.session.add(
            RevokedTicket(
                organisation_id=registration.organisation_id,
                code_hash=registration.ticket_code_hash,
                registration_id=registration.id,
                revoked_at=now,
            )
        )
        registration.ticket_code = None
        # a ticket email still waiting in the outbox must not leave with a dead code
        db.session.execute(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.about("registration", registration.id),
                OutboxMessage.kind == "rsvp_ticket",
                OutboxMessage.state == OutboxState.QUEUED,
            )
            .values(state=OutboxState.CANCELLED)
        )


def promote_waitlist(event: Event, now: datetime | None = None) -> list[Registration]:
    """Fill freed places from the waiting list, first come first served (call under the lock).

    Someone whose party does not fit keeps their position while smaller parties behind
    them move in; they are first again as soon as enough places free up.
    """
    return _promote(event, now or utcnow())[0]


def _promote(event: Event, now: datetime) -> tuple[list[Registration], int | None]:
    """promote_waitlist, and the places still free after it (None: the event takes no
    promotions, so nothing was counted). Its caller `place` needs no second count."""
    if event.status != EventStatus.PUBLISHED or now >= event.starts_at:
        return [], None
    accepted, waiting_count = _seats_and_waiting(event.id)
    free = event.capacity - accepted
    promoted: list[Registration] = []
    if free <= 0 or not waiting_count:  # nobody to move up: the list is not read
        return promoted, free
    waiting = db.session.scalars(
        sa.select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(Registration.waitlisted_at, Registration.id)
    )
    for registration in waiting:
        if free <= 0:
            break
        if registration.seats <= free:
            accept(registration, "promoted", now)
            free -= registration.seats
            promoted.append(registration)
    return promoted, free


def promote_by_hand(registration: Registration, now: datetime | None = None) -> None:
    """The organiser moves someone up from the waiting list, out of turn, if they fit."""
    now = now or utcnow()
    lock_event(registration.event)
    db.session.refresh(registration)
    if registration.status != RegistrationStatus.WAITLISTED:
        raise RsvpError(_l("Only someone on the waiting list can be promoted."))
    free = free_seats(registration.event, excluding=registration.id)
    if registration.seats > free:
        raise RsvpError(
            _l(
                "Not enough room. Places needed: %(needed)s; places free: %(free)s. "
                "Raise the capacity first.",
                needed=registration.seats,
                free=max(free, 0),
            )
        )
    accept(registration, "promoted", now)


def revoke_ticket(registration: Registration, now: datetime | None = None) -> None:
    """The code stops working at once; the place stays held until a reissue or a cancel."""
    if not registration.ticket_code_hash:
        raise RsvpError(_l("This registration has no ticket."))
    drop_ticket(registration, now or utcnow())
    db.session.flush()


def reissue_ticket(registration: Registration, now: datetime | None = None) -> None:
    """A new code (the old one stops working) and the ticket email again."""
    now = now or utcnow()
    if registration.status != RegistrationStatus.ACCEPTED:
        raise RsvpError(_l("Only an accepted registration has a ticket."))
    drop_ticket(registration, now)
    registration.ticket_code = new_token()
    registration.ticket_issued_at = now
    db.session.flush()
    send_ticket(registration, "reissued")


def approve(registration: Registration, now: datetime | None = None) -> None:
    now = now or utcnow()
    lock_event(registration.event)
    db.session.refresh(registration)
    if registration.status != RegistrationStatus.PENDING_APPROVAL:
        raise RsvpError(_l("This registration is not waiting for approval."))
    place(registration, registration.event, now)


def reject(registration: Registration) -> None:
    if registration.status != RegistrationStatus.PENDING_APPROVAL:
        raise RsvpError(_l("This registration is not waiting for approval."))
    registration.status = RegistrationStatus.REJECTED
    db.session.flush()
    send(registration, "rsvp_rejected", "1")


def send(registration: Registration, kind: str, suffix: str, payload: dict | None = None) -> bool:
    """Queue one email about this registration (built by its builder when it leaves);
    False if that key is queued already. One INSERT … ON CONFLICT DO NOTHING, so a rush
    of answers pays one statement per ticket, not a lookup and a savepoint around it."""
    if not registration.email:
        return False  # no address: the organiser shares the ticket by hand
    message = {
        "key": f"{kind}:{registration.id}:{suffix}",
        "kind": kind,
        "to_email": registration.email,
        "to_name": registration.full_name[:200],
        "locale": registration.locale or "ar",
        "payload": {"registration_id": registration.id, **(payload or {})},
        "organisation_id": registration.organisation_id,
        "subject": ("registration", registration.id),
    }
    return enqueue_many(db.session, [message]) == 1


def send_ticket(registration: Registration, reason: str) -> bool:
    return send(registration, "rsvp_ticket", registration.ticket_code_hash[:16], {"reason": reason})
