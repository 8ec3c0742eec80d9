"""Name badges for an event: one per accepted registration and one per companion, with
the name, company, category and the QR code of the ticket (companions enter on the
ticket of the person they came with).

Two queries whatever the number of people (the registrations, then their companions).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from blueprints.events.models import Event
from blueprints.rsvp.models import Companion, Registration, RegistrationStatus
from blueprints.rsvp.tickets import ticket_url
from core.qr import qr_svg
from extensions import db

WHO = ("all", "arrived")
COMPANION = "companion"


@dataclass
class Badge:
    name: str
    company: str
    category: object  # a MemberCategory, or COMPANION
    qr: str  # an SVG document, or "" when the registration has no ticket
    person: str  # what `badges(person=…)` takes to print this one badge again


def _people(event: Event, who: str, kind: str, one: int | None) -> list[Registration]:
    stmt = (
        sa.select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.organisation_id == event.organisation_id,
            Registration.status == RegistrationStatus.ACCEPTED,
        )
        .options(selectinload(Registration.companion_list))
        .order_by(Registration.full_name, Registration.id)
    )
    if who == "arrived":
        stmt = stmt.where(Registration.checked_in_at.is_not(None))
    if kind == "r":
        stmt = stmt.where(Registration.id == one)
    elif kind == "c":
        of_companion = sa.select(Companion.registration_id).where(Companion.id == one)
        stmt = stmt.where(Registration.id.in_(of_companion))
    return list(db.session.scalars(stmt))


def badges(event: Event, who: str = "all", person: str = "") -> list[Badge]:
    """`who`: all accepted, or only those who arrived; `person`: "r<id>" one registrant
    (with no companion), "c<id>" one companion, "" everyone."""
    kind, number = person[:1], person[1:]
    one = int(number) if kind in ("r", "c") and number.isdigit() and len(number) < 12 else None
    if person and one is None:
        return []
    result = []
    if one is None:
        kind = ""
    for registration in _people(event, who if who in WHO else "all", kind, one):
        code = registration.ticket_code
        # one document many times: without the writer's fixed id, ids stay unique
        qr = qr_svg(ticket_url(code), border=1).replace(' id="qr-path"', "", 1) if code else ""
        if kind != "c":
            result.append(Badge(registration.full_name, registration.company,
                                registration.category, qr, f"r{registration.id}"))  # fmt: skip
        if kind == "r":
            continue
        for companion in registration.companion_list:
            if kind == "c" and companion.id != one:
                continue
            result.append(Badge(companion.full_name, registration.company, COMPANION, qr,
                                f"c{companion.id}"))  # fmt: skip
    return result
