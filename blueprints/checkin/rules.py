"""The door's rules: when its doors are open, what a door is called, whose clock counts,
and which registration statuses are refused with which reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from blueprints.checkin.models import RefusalReason
from blueprints.events.models import Event, EventStatus
from blueprints.rsvp.models import RegistrationStatus

# When the doors of an event are open, around its programme (scans outside are refused).
DOORS_OPEN_BEFORE = timedelta(hours=4)
DOORS_CLOSE_AFTER = timedelta(hours=4)
# How far a client's scan time may lie from the server's before the server's is used.
CLIENT_TIME_PAST = timedelta(hours=48)
CLIENT_TIME_FUTURE = timedelta(minutes=5)
MAX_DOOR = 40
MAX_NONCE = 64
REFUSALS = {
    RegistrationStatus.DECLINED: RefusalReason.DECLINED,
    RegistrationStatus.WAITLISTED: RefusalReason.WAITLISTED,
    RegistrationStatus.CANCELLED: RefusalReason.REVOKED,
    RegistrationStatus.REJECTED: RefusalReason.REVOKED,
    RegistrationStatus.PENDING_APPROVAL: RefusalReason.UNKNOWN,
    RegistrationStatus.PENDING_CONFIRMATION: RefusalReason.UNKNOWN,
}
_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def doors_open(event: Event, at: datetime) -> bool:
    """`event` is an Event or anything with its status, starts_at and ends_at."""
    if event.status not in (EventStatus.PUBLISHED, EventStatus.CLOSED):
        return False
    return event.starts_at - DOORS_OPEN_BEFORE <= at <= event.ends_at + DOORS_CLOSE_AFTER


def venue_clock(event: Event, zone: ZoneInfo) -> list[list[int]]:
    """The venue's UTC offsets around the event, as [[from epoch ms, offset minutes], …].

    The door page shows times with these, not with the phone's time-zone data: browsers
    bundle their own, and some stop at a year after which Moroccan times are an hour off.
    """
    start = event.starts_at.replace(tzinfo=UTC) - CLIENT_TIME_PAST - DOORS_OPEN_BEFORE
    end = event.ends_at.replace(tzinfo=UTC) + CLIENT_TIME_PAST + DOORS_CLOSE_AFTER
    table: list[list[int]] = []
    at = start
    while at <= end:
        offset = int(at.astimezone(zone).utcoffset().total_seconds() // 60)
        if not table or table[-1][1] != offset:
            table.append([int(at.timestamp() * 1000), offset])
        at += timedelta(minutes=30)
    return table


def clean_door(door: str | None) -> str:
    """A door name fit to show and log: printable, no bidi controls, short; "A" if empty."""
    text = "".join(ch for ch in (door or "") if ch.isprintable() and ch not in _BIDI_CONTROLS)
    return text.strip()[:MAX_DOOR] or "A"


def scan_time(scanned_at: datetime | None, now: datetime) -> datetime:
    """The client's time of a scan when it is plausible (an offline queue), else the server's."""
    if scanned_at is None or scanned_at.tzinfo is None:
        return now
    if now - CLIENT_TIME_PAST <= scanned_at <= now + CLIENT_TIME_FUTURE:
        return min(scanned_at, now)
    return now


def refusal_for(status: RegistrationStatus) -> RefusalReason | None:
    """Why a registration with this status is not let in (None: it is accepted)."""
    if status == RegistrationStatus.ACCEPTED:
        return None
    return REFUSALS.get(status, RefusalReason.UNKNOWN)


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


PHONE_TAIL = 4


def mask_phone(phone: str | None) -> str:
    """Only the last digits of a phone number: enough to tell two people apart at the door."""
    if not phone:
        return ""
    return "•••• " + phone[-PHONE_TAIL:]


def phone_tail(phone: str | None) -> str:
    return (phone or "")[-PHONE_TAIL:]
