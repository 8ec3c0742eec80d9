"""What the door looks up: counts, the offline roster, and search by name or phone."""

from __future__ import annotations

import sqlalchemy as sa

from blueprints.checkin.rules import iso, mask_phone, phone_tail, refusal_for
from blueprints.events.models import Event
from blueprints.rsvp.models import Registration, RegistrationStatus
from core.phones import normalise_phone
from core.text import fold
from extensions import db


def counts(event: Event) -> dict:
    """Checked in / expected, in registrations and in people (companions counted)."""
    people = 1 + Registration.companions
    row = db.session.execute(
        sa.select(
            sa.func.count(Registration.id),
            sa.func.coalesce(sa.func.sum(people), 0),
            sa.func.count(Registration.checked_in_at),
            sa.func.coalesce(
                sa.func.sum(sa.case((Registration.checked_in_at.is_not(None), people), else_=0)),
                0,
            ),
        ).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.ACCEPTED,
        )
    ).one()
    return {
        "expected": int(row[0]),
        "people_expected": int(row[1]),
        "checked_in": int(row[2]),
        "people_in": int(row[3]),
    }


def roster(event: Event) -> list[dict]:
    """What a door needs offline: no ticket code, only its SHA-256."""
    rows = db.session.execute(
        sa.select(
            Registration.id,
            Registration.ticket_code_hash,
            Registration.full_name,
            Registration.company,
            Registration.phone,
            Registration.category,
            Registration.companions,
            Registration.status,
            Registration.checked_in_at,
        )
        .where(Registration.event_id == event.id, Registration.ticket_code_hash.is_not(None))
        .order_by(Registration.id)
    )
    entries = []
    for row in rows:
        reason = refusal_for(row.status)
        entries.append(
            {
                "id": row.id,
                "ticket_sha256": row.ticket_code_hash,
                "name": row.full_name,
                "company": row.company or "",
                "phone": mask_phone(row.phone),
                "phone_tail": phone_tail(row.phone),
                "category": row.category.value,
                "companions": row.companions,
                "reason": reason.value if reason else None,
                "checked_in_at": iso(row.checked_in_at),
            }
        )
    return entries


MAX_QUERY = 100


def search(event: Event, query: str, limit: int = 20) -> list[dict]:
    """Registrations of `event` whose name, company or phone matches (Arabic or Latin)."""
    needle = fold(query[:MAX_QUERY])
    digits = "".join(ch for ch in query[:40] if ch.isdigit())
    phone = normalise_phone(query) if len(digits) >= 6 else None
    if len(needle) < 2 and not phone:
        return []
    rows = db.session.execute(
        sa.select(
            Registration.id,
            Registration.full_name,
            Registration.company,
            Registration.phone,
            Registration.category,
            Registration.companions,
            Registration.status,
            Registration.checked_in_at,
            Registration.checked_in_door,
        )
        .where(Registration.event_id == event.id)
        .order_by(Registration.full_name)
    )
    found = []
    for row in rows:
        hit = needle and (needle in fold(row.full_name) or needle in fold(row.company))
        by_phone = False
        if not hit and row.phone:
            by_phone = row.phone == phone or (len(digits) >= 4 and row.phone.endswith(digits[-9:]))
            hit = by_phone
        if hit:
            reason = refusal_for(row.status)
            found.append(
                {
                    "id": row.id,
                    "name": row.full_name,
                    "company": row.company or "",
                    # the whole number only to whoever typed it
                    "phone": (row.phone or "") if by_phone else mask_phone(row.phone),
                    "category": row.category.value,
                    "companions": row.companions,
                    "reason": reason.value if reason else None,
                    "checked_in_at": iso(row.checked_in_at),
                    "door": row.checked_in_door,
                }
            )
            if len(found) >= limit:
                break
    return found
