"""The ticket, as other features see it: its URL and the code in it, and a walk-in's ticket.

The QR code on every ticket holds `BASE_URL/t/<code>`; this module is the one place that
builds that URL and reads a code back out of it (a scan, a pasted link or a bare code).
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from blueprints.events.models import Event
from blueprints.members.models import MemberCategory
from blueprints.rsvp import seats
from blueprints.rsvp.errors import EventFull
from blueprints.rsvp.models import Registration, RegistrationSource, RegistrationStatus
from core.db import utcnow
from core.i18n import format_number
from core.tokens import new_token
from core.urls import external_url
from extensions import db

TICKET_CODE = re.compile(r"[A-Za-z0-9_-]{8,64}")
TICKET_PATH = re.compile(r"/t/([A-Za-z0-9_-]{8,64})/?(?:[?#].*)?$")
MAX_SCAN = 500


def ticket_path(code: str) -> str:
    return f"/t/{code}"


def ticket_url(code: str) -> str:
    """The absolute ticket URL under BASE_URL: what the QR code and the emails hold."""
    return external_url(ticket_path(code))


def calendar_person(registration: Registration) -> str:
    """Whose calendar entry the ticket's .ics is: the member's, the same entry as their
    invitation's (core.calendar.calendar_uid), else this registration's own."""
    member_id = registration.member_id
    if member_id is None and registration.invitation is not None:
        member_id = registration.invitation.member_id
    return f"m{member_id}" if member_id else f"r{registration.id}"


def code_from_scan(scanned: str | None) -> str | None:
    """The ticket code in what the camera read: a ticket URL (…/t/<code>) or a bare code."""
    if not isinstance(scanned, str):
        return None
    text = scanned.strip()
    if len(text) > MAX_SCAN:
        return None
    if TICKET_CODE.fullmatch(text):
        return text
    match = TICKET_PATH.search(text)
    return match.group(1) if match else None


def register_walk_in(
    event: Event,
    *,
    full_name: str,
    phone: str | None,
    company: str,
    trade: str,
    locale: str,
    over_capacity: bool = False,
) -> Registration:
    """An accepted registration with a fresh ticket for someone who came without an
    invitation; they agreed at the door, so consent is recorded now. Flushed, not committed.

    A walk-in takes a place like everyone else, under the same event lock: at a full event
    it raises EventFull, unless the door chose to admit over capacity.
    """
    seats.lock_event(event)
    taken = seats.accepted_seats(event.id)
    if taken + 1 > event.capacity and not over_capacity:
        raise EventFull(
            _l(
                "The event is full. Places taken: %(taken)s / %(capacity)s.",
                taken=format_number(taken),
                capacity=format_number(event.capacity),
            ),
            taken,
            event.capacity,
        )
    now = utcnow()
    registration = Registration(
        organisation_id=event.organisation_id,
        event_id=event.id,
        source=RegistrationSource.WALK_IN,
        status=RegistrationStatus.ACCEPTED,
        full_name=full_name[:200],
        phone=phone,
        company=company[:200],
        trade=trade[:60],
        category=MemberCategory.GUEST,
        locale=locale,
        companions=0,
        consent_at=now,
        ticket_code=new_token(),
        ticket_issued_at=now,
    )
    db.session.add(registration)
    db.session.flush()
    return registration


def places_taken(event: Event) -> int:
    """Accepted people and their companions (walk-ins included)."""
    return seats.accepted_seats(event.id)
