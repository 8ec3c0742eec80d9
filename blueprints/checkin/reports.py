"""What the organiser watches during and after the event: arrivals, refusals, conflicts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from blueprints.checkin.models import CheckIn, CheckInConflict, CheckInResult
from blueprints.events.models import Event
from blueprints.members.models import MemberCategory
from blueprints.rsvp.models import Registration, RegistrationStatus
from core.db import utcnow
from extensions import db

BUCKET = timedelta(minutes=15)


@dataclass
class CategoryLine:
    category: MemberCategory
    arrived: int
    expected: int


@dataclass
class Bar:
    start: datetime
    count: int


def by_category(event: Event) -> list[CategoryLine]:
    rows = db.session.execute(
        sa.select(
            Registration.category,
            sa.func.count(Registration.id),
            sa.func.count(Registration.checked_in_at),
        )
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.ACCEPTED,
        )
        .group_by(Registration.category)
    )
    lines = {row[0]: CategoryLine(row[0], int(row[2]), int(row[1])) for row in rows}
    return [lines[c] for c in MemberCategory if c in lines]


def arrivals_per_quarter(event: Event) -> list[Bar]:
    """Admissions per 15 minutes, from the first to the last (empty quarters included)."""
    times = list(
        db.session.scalars(
            sa.select(Registration.checked_in_at).where(
                Registration.event_id == event.id, Registration.checked_in_at.is_not(None)
            )
        )
    )
    if not times:
        return []
    epoch = datetime(2000, 1, 1, tzinfo=times[0].tzinfo)

    def quarter(t: datetime) -> datetime:
        return t - ((t - epoch) % BUCKET)

    start, end = quarter(min(times)), quarter(max(times))
    counts: dict[datetime, int] = {}
    for t in times:
        counts[quarter(t)] = counts.get(quarter(t), 0) + 1
    bars, current = [], start
    while current <= end and len(bars) < 96:  # a day at most
        bars.append(Bar(current, counts.get(current, 0)))
        current += BUCKET
    return bars


def last_scans(event: Event, limit: int = 20, refused: bool = False) -> list[CheckIn]:
    query = (
        sa.select(CheckIn)
        .where(CheckIn.event_id == event.id)
        .options(joinedload(CheckIn.registration))
    )
    if refused:
        query = query.where(CheckIn.result == CheckInResult.NOT_VALID)
    return list(db.session.scalars(query.order_by(CheckIn.id.desc()).limit(limit)))


def conflicts(event: Event) -> list[CheckInConflict]:
    return list(
        db.session.scalars(
            sa.select(CheckInConflict)
            .where(CheckInConflict.event_id == event.id)
            .options(joinedload(CheckInConflict.registration))
            .order_by(CheckInConflict.id.desc())
        )
    )


def no_shows(event: Event) -> list[Registration]:
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.ACCEPTED,
                Registration.checked_in_at.is_(None),
            )
            .order_by(Registration.full_name)
        )
    )


def event_over(event: Event) -> bool:
    return utcnow() > event.ends_at


LOG_HEADER = (
    "server_time_utc",
    "client_time_utc",
    "door",
    "method",
    "result",
    "reason",
    "offline",
    "name",
    "company",
    "category",
    "staff",
    "device",
    "scanned",
)


def log_rows(event: Event):
    """Every line of the check-in log, oldest first, for the export."""
    query = (
        sa.select(CheckIn)
        .where(CheckIn.event_id == event.id)
        .order_by(CheckIn.id)
        .options(
            joinedload(CheckIn.registration), joinedload(CheckIn.user), joinedload(CheckIn.device)
        )
        .execution_options(yield_per=500)
    )
    for row in db.session.scalars(query):
        reg = row.registration
        yield (
            row.created_at.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds"),
            row.client_time.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
            if row.client_time
            else "",
            row.door,
            row.method.value,
            row.result.value,
            row.reason.value if row.reason else "",
            "yes" if row.offline else "",
            reg.full_name if reg else "",
            reg.company if reg else "",
            reg.category.value if reg else "",
            (row.user.full_name or row.user.email) if row.user else "",
            row.device.label or row.device.door if row.device else "",
            row.code_excerpt,
        )
