"""Check-in at the door: one conditional UPDATE per admission, every scan in the log.

`check_in` is the heart of it. It decides on the registration found for a code and
admits with `UPDATE registration SET checked_in_at = … WHERE id = :id AND
checked_in_at IS NULL`: whichever request changes the row admits, every other one
(on any door, in any process) sees "already checked in". A retry with the same
nonce gets the answer stored in the log and never counts twice.
"""

from __future__ import annotations

import fcntl
import os
import re
import threading
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from blueprints.auth.models import User
from blueprints.checkin.models import (
    CheckIn,
    CheckInConflict,
    CheckInMethod,
    CheckInResult,
    DoorDevice,
    RefusalReason,
)
from blueprints.events.models import Event, EventStatus
from blueprints.members.models import MemberCategory
from blueprints.rsvp import tickets
from blueprints.rsvp.models import Registration, RegistrationStatus, RevokedTicket
from core.db import utcnow
from core.phones import normalise_phone
from core.tokens import new_token, sha256_hex
from extensions import db

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
BADGE_CATEGORIES = (MemberCategory.OFFICIAL, MemberCategory.PARTNER)


class CheckInError(Exception):
    """A door action that cannot be done; the message is translated."""


# --------------------------------------------------------------------------- helpers


def doors_open(event: Event, at: datetime) -> bool:
    if event.status not in (EventStatus.PUBLISHED, EventStatus.CLOSED):
        return False
    return event.starts_at - DOORS_OPEN_BEFORE <= at <= event.ends_at + DOORS_CLOSE_AFTER


def clean_door(door: str | None) -> str:
    text = "".join(
        ch
        for ch in (door or "")
        if ch.isprintable() and ch not in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    )
    return text.strip()[:MAX_DOOR] or "A"


def _scan_time(scanned_at: datetime | None, now: datetime) -> datetime:
    if scanned_at is None or scanned_at.tzinfo is None:
        return now
    if now - CLIENT_TIME_PAST <= scanned_at <= now + CLIENT_TIME_FUTURE:
        return min(scanned_at, now)
    return now


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _actor_name(user: User | None, device: DoorDevice | None) -> str:
    if device is not None:
        return device.label or f"{device.door}"
    if user is not None:
        return user.full_name or user.email
    return ""


def registration_summary(registration: Registration) -> dict:
    return {
        "name": registration.full_name,
        "company": registration.company or "",
        "category": registration.category.value,
        "companions": registration.companions,
    }


@dataclass
class Actor:
    """Who stands at the door: a signed-in account or a device token."""

    door: str
    user: User | None = None
    device: DoorDevice | None = None


# --------------------------------------------------------------------------- checking in

# SQLite lets one process write at a time; a writer that finds the database locked sleeps
# in SQLite's busy handler (1, 2, 5, 10… ms) and tries again, so under a queue of scans
# two gunicorn workers waited on each other far longer than their transactions lasted.
# Check-ins therefore take turns on an advisory file lock next to the database file: the
# kernel wakes the next writer as soon as the previous one has committed.
_write_locks: dict[str, tuple[int, threading.Lock]] = {}


@contextmanager
def write_turn():
    """One door write transaction at a time on a SQLite file (no-op on PostgreSQL)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        yield
        return
    entry = _write_locks.get(url.database)
    if entry is None:
        fd = os.open(f"{url.database}-door.lock", os.O_RDWR | os.O_CREAT, 0o600)
        entry = _write_locks.setdefault(url.database, (fd, threading.Lock()))
    fd, thread_lock = entry
    with thread_lock:  # flock() does not exclude threads sharing one descriptor
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


_registration = Registration.__table__
_checkin = CheckIn.__table__
_device = DoorDevice.__table__
_user = User.__table__
_revoked = RevokedTicket.__table__


def _admit_statement(match):
    """The admission itself: one conditional UPDATE that returns what the door shows.

    Whichever request changes the row admits; every other one (any door, any process)
    changes nothing and is told "already checked in" from a second look at the row.
    """
    r = _registration.c
    return (
        sa.update(_registration)
        .where(
            match,
            r.organisation_id == sa.bindparam("org"),
            r.event_id == sa.bindparam("event"),
            r.status == RegistrationStatus.ACCEPTED,
            r.checked_in_at.is_(None),
        )
        .values(
            checked_in_at=sa.bindparam("at", type_=_registration.c.checked_in_at.type),
            checked_in_door=sa.bindparam("door"),
            checked_in_by_id=sa.bindparam("by"),
            updated_at=sa.bindparam("now", type_=_registration.c.updated_at.type),
        )
        .returning(r.id, r.full_name, r.company, r.category, r.companions)
    )


# Built once: no statement construction on the hot path, only the compiled-cache lookup.
_ADMIT_BY_CODE = _admit_statement(_registration.c.ticket_code == sa.bindparam("code"))
_ADMIT_BY_ID = _admit_statement(_registration.c.id == sa.bindparam("rid"))


def _state_statement(match):
    """Everything the door needs about a registration that was not admitted just now.

    Its status, event and summary, and (through outer joins to the latest admission in
    the log, its account and its device) when, where and by whom it was first admitted.
    """
    r, c = _registration.c, _checkin.c
    latest = (
        sa.select(sa.func.max(c.id))
        .where(c.registration_id == r.id, c.result == CheckInResult.ADMITTED)
        .scalar_subquery()
    )
    admission = _checkin.alias("admission")
    a = admission.c
    return (
        sa.select(
            r.id,
            r.event_id,
            r.status,
            r.full_name,
            r.company,
            r.category,
            r.companions,
            r.checked_in_at,
            r.checked_in_door,
            sa.func.coalesce(a.user_id, r.checked_in_by_id).label("user_id"),
            a.device_id,
            _user.c.full_name.label("user_name"),
            _user.c.email.label("user_email"),
            _device.c.label.label("device_label"),
            _device.c.door.label("device_door"),
        )
        .select_from(_registration)
        .outerjoin(admission, a.id == latest)
        .outerjoin(_user, _user.c.id == sa.func.coalesce(a.user_id, r.checked_in_by_id))
        .outerjoin(_device, _device.c.id == a.device_id)
        .where(match, r.organisation_id == sa.bindparam("org"))
    )


_STATE_BY_CODE = _state_statement(_registration.c.ticket_code == sa.bindparam("code"))
_STATE_BY_ID = _state_statement(_registration.c.id == sa.bindparam("rid"))
_INSERT_LOG = sa.insert(_checkin).returning(_checkin.c.id)


def check_in(
    event,
    code: str | None,
    door: str | None,
    by_user: User | None = None,
    device=None,
    nonce: str | None = None,
    scanned_at: datetime | None = None,
    offline: bool = False,
    method: CheckInMethod = CheckInMethod.SCAN,
    conn: sa.Connection | None = None,
    now: datetime | None = None,
) -> dict:
    """Admit the ticket `code` (a ticket URL or a bare code) at `event`; the API answer.

    `event` is an Event or a DoorEvent, `device` a DoorDevice or a DeviceInfo. The happy
    path is the conditional UPDATE … RETURNING, the log INSERT, and the caller's commit:
    of the session, or of `conn` when given (the API's device path uses a bare connection,
    no ORM session).
    A nonce seen before is caught by the unique (event_id, nonce) constraint when the
    log row is written: the whole attempt is rolled back and the stored answer returned.
    """
    ticket = tickets.code_from_scan(code)
    excerpt = (code if isinstance(code, str) else "")[:80]
    if ticket is None:
        return _attempt(
            event,
            None,
            None,
            door,
            by_user,
            device,
            nonce,
            scanned_at,
            offline,
            method,
            excerpt,
            conn,
            now,
        )
    return _attempt(
        event,
        "code",
        ticket,
        door,
        by_user,
        device,
        nonce,
        scanned_at,
        offline,
        method,
        ticket[:80],
        conn,
        now,
    )


def check_in_registration(
    event,
    registration_id: int,
    door: str | None,
    by_user: User | None = None,
    device=None,
    nonce: str | None = None,
    scanned_at: datetime | None = None,
    offline: bool = False,
    method: CheckInMethod = CheckInMethod.SEARCH,
    conn: sa.Connection | None = None,
) -> dict:
    """Admit a registration found by search (or on its ticket page) rather than scanned."""
    return _attempt(
        event,
        "rid",
        registration_id,
        door,
        by_user,
        device,
        nonce,
        scanned_at,
        offline,
        method,
        "",
        conn,
    )


def _attempt(
    event,
    key,
    value,
    door,
    by_user,
    device,
    nonce,
    scanned_at,
    offline,
    method,
    excerpt,
    conn,
    now=None,
) -> dict:
    now = now or utcnow()
    at = _scan_time(scanned_at, now)
    door = clean_door(door)
    nonce = (nonce or "")[:MAX_NONCE] or None
    own_connection = conn is not None
    if conn is None:
        conn = db.session.connection()
    params = {key: value, "org": event.organisation_id}
    answer = {
        "result": CheckInResult.NOT_VALID.value,
        "reason": None,
        "registration": None,
        "checked_in_at": None,
        "first_check_in": None,
    }
    by_id = by_user.id if by_user is not None else None
    admit_params = {**params, "event": event.id, "at": at, "now": now, "door": door, "by": by_id}
    admit = _ADMIT_BY_CODE if key == "code" else _ADMIT_BY_ID
    row = None
    if key is not None and doors_open(event, at):
        row = conn.execute(admit, admit_params).first()
    registration_id = None
    reason = None
    first = None
    if row is not None:
        registration_id = row.id
        result = CheckInResult.ADMITTED
        answer["registration"] = _summary(row)
        answer["checked_in_at"] = _iso(at)
    else:
        state, revoked = _state(conn, key, params)
        if state is None:
            reason = RefusalReason.UNKNOWN
        elif state.event_id != event.id:
            reason = RefusalReason.WRONG_EVENT  # another event's guest is not this door's
        else:
            registration_id = state.id
            answer["registration"] = _summary(state)
            if not doors_open(event, at):
                reason = RefusalReason.EVENT_NOT_OPEN
            elif revoked:
                reason = RefusalReason.REVOKED
            elif state.status != RegistrationStatus.ACCEPTED:
                reason = REFUSALS.get(state.status, RefusalReason.UNKNOWN)
            elif state.checked_in_at is None:
                # Undone between the UPDATE and this look: admit now, by its id.
                again = {**admit_params, "rid": state.id}
                again.pop("code", None)
                if conn.execute(_ADMIT_BY_ID, again).first() is not None:
                    row = state
        if reason is not None:
            result = CheckInResult.NOT_VALID
            answer["reason"] = reason.value
        elif row is not None:
            result = CheckInResult.ADMITTED
            answer["checked_in_at"] = _iso(at)
        else:
            result = CheckInResult.ALREADY_CHECKED_IN
            first = _first_from_state(state)
            answer["checked_in_at"] = first["at"]
            answer["first_check_in"] = {k: first[k] for k in ("at", "door", "by")}
    answer["result"] = result.value

    try:
        # A savepoint-free INSERT: a duplicate nonce fails here and rolls everything back.
        log_id = conn.execute(
            _INSERT_LOG,
            {
                "organisation_id": event.organisation_id,
                "event_id": event.id,
                "registration_id": registration_id,
                "door": door,
                "device_id": device.id if device is not None else None,
                "user_id": by_id if device is None else None,
                "method": method,
                "nonce": nonce,
                "code_excerpt": excerpt,
                "result": result,
                "reason": reason,
                "offline": bool(offline),
                "client_time": scanned_at if scanned_at is not None and scanned_at.tzinfo else None,
                "created_at": now,
                "answer": answer,
            },
        ).scalar_one()
    except IntegrityError:
        # The same nonce was logged by a concurrent retry: its answer is the answer.
        if own_connection:
            conn.rollback()
        else:
            db.session.rollback()
            conn = db.session.connection()
        stored = _stored_answer(conn, event, nonce)
        if stored is None:
            raise
        return stored
    if first is not None and offline and _is_conflict(first, door, by_user, device):
        conn.execute(
            sa.insert(CheckInConflict.__table__),
            {
                "organisation_id": event.organisation_id,
                "event_id": event.id,
                "registration_id": registration_id,
                "checkin_id": log_id,
                "first_at": first["at_dt"],
                "first_door": first["door"] or "",
                "second_at": at,
                "second_door": door,
                "created_at": now,
            },
        )
    if device is not None:
        _touch_device(conn, device, now)
    return answer


def _summary(row) -> dict:
    return {
        "name": row.full_name,
        "company": row.company or "",
        "category": getattr(row.category, "value", row.category),
        "companions": row.companions,
    }


def _state(conn, key, params):
    """(the registration's state row or None, whether the code was a revoked ticket)."""
    if key is None:
        return None, False
    statement = _STATE_BY_CODE if key == "code" else _STATE_BY_ID
    state = conn.execute(statement, params).first()
    if state is not None or key != "code":
        return state, False
    revoked_id = conn.execute(
        sa.select(_revoked.c.registration_id).where(
            _revoked.c.code == params["code"], _revoked.c.organisation_id == params["org"]
        )
    ).scalar()
    if revoked_id is None:
        return None, False
    return conn.execute(_STATE_BY_ID, {"rid": revoked_id, "org": params["org"]}).first(), True


def _first_from_state(state) -> dict:
    if state.device_id is not None:
        by = state.device_label or state.device_door or ""
    else:
        by = state.user_name or state.user_email or ""
    return {
        "at": _iso(state.checked_in_at),
        "at_dt": state.checked_in_at,
        "door": state.checked_in_door,
        "by": by,
        "user_id": None if state.device_id is not None else state.user_id,
        "device_id": state.device_id,
    }


def _stored_answer(conn, event, nonce: str | None) -> dict | None:
    if not nonce:
        return None
    return conn.execute(
        sa.select(_checkin.c.answer).where(
            _checkin.c.event_id == event.id, _checkin.c.nonce == nonce
        )
    ).scalar()


def _is_conflict(first: dict, door: str, user: User | None, device) -> bool:
    """An offline scan that met an admission made elsewhere: two people let in on one ticket."""
    if first["door"] != door:
        return True
    if device is not None:
        return first["device_id"] != device.id
    return first["user_id"] != (user.id if user else None)


# --------------------------------------------------------------------------- walk-ins, undo


@dataclass
class WalkIn:
    full_name: str
    phone: str = ""
    company: str = ""
    trade: str = ""
    consent: bool = False
    locale: str = "ar"


def walk_in(
    event: Event, data: WalkIn, door: str | None, by_user: User
) -> tuple[Registration, dict]:
    """Register someone who was not invited and admit them, in one step."""
    name = data.full_name.strip()
    if not name:
        raise CheckInError(_l("Enter the person's name."))
    if not data.consent:
        raise CheckInError(_l("The person must agree to their details being kept."))
    if not doors_open(event, utcnow()):
        raise CheckInError(_l("The doors of this event are not open."))
    phone = None
    if data.phone.strip():
        phone = normalise_phone(data.phone)
        if phone is None:
            raise CheckInError(_l("This phone number is not valid."))
    registration = tickets.register_walk_in(
        event,
        full_name=name,
        phone=phone,
        company=data.company.strip(),
        trade=data.trade.strip(),
        locale=data.locale,
    )
    answer = check_in_registration(
        event, registration.id, door, by_user=by_user, method=CheckInMethod.WALK_IN
    )
    return registration, answer


def undo_last_admission(event: Event, by_user: User | None, device: DoorDevice | None = None):
    """Take back the last admission this account (or device) made at this event; logged."""
    query = (
        sa.select(CheckIn)
        .join(Registration, Registration.id == CheckIn.registration_id)
        .where(
            CheckIn.event_id == event.id,
            CheckIn.result == CheckInResult.ADMITTED,
            Registration.checked_in_at.is_not(None),
        )
        .order_by(CheckIn.id.desc())
        .limit(1)
    )
    if device is not None:
        query = query.where(CheckIn.device_id == device.id)
    else:
        query = query.where(CheckIn.user_id == by_user.id)
    admission = db.session.scalar(query)
    if admission is None:
        raise CheckInError(_l("There is no admission to undo."))
    changed = db.session.execute(
        sa.update(Registration)
        .where(
            Registration.id == admission.registration_id, Registration.checked_in_at.is_not(None)
        )
        .values(checked_in_at=None, checked_in_door=None, checked_in_by_id=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise CheckInError(_l("There is no admission to undo."))
    registration = admission.registration
    db.session.add(
        CheckIn(
            organisation_id=event.organisation_id,
            event_id=event.id,
            registration_id=registration.id,
            door=admission.door,
            device_id=device.id if device is not None else None,
            user_id=by_user.id if by_user is not None and device is None else None,
            method=CheckInMethod.UNDO,
            result=CheckInResult.UNDONE,
            answer={"undone": admission.id},
        )
    )
    db.session.flush()
    db.session.refresh(registration)
    return registration


# --------------------------------------------------------------------------- counts, roster, search


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
            Registration.ticket_code,
            Registration.full_name,
            Registration.company,
            Registration.phone,
            Registration.category,
            Registration.companions,
            Registration.status,
            Registration.checked_in_at,
        )
        .where(Registration.event_id == event.id, Registration.ticket_code.is_not(None))
        .order_by(Registration.id)
    )
    entries = []
    for row in rows:
        reason = None if row.status == RegistrationStatus.ACCEPTED else REFUSALS[row.status]
        entries.append(
            {
                "id": row.id,
                "ticket_sha256": sha256_hex(row.ticket_code),
                "name": row.full_name,
                "company": row.company or "",
                "phone": row.phone or "",
                "category": row.category.value,
                "companions": row.companions,
                "reason": reason.value if reason else None,
                "checked_in_at": _iso(row.checked_in_at),
            }
        )
    return entries


_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي"})


def fold(text: str | None) -> str:
    """Lower-case, accent-free, Arabic without vowel marks and hamza variants: for matching."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = _ARABIC_MARKS.sub("", plain).translate(_ARABIC_FOLD)
    return " ".join(plain.casefold().split())


def search(event: Event, query: str, limit: int = 20) -> list[dict]:
    """Registrations of `event` whose name, company or phone matches (Arabic or Latin)."""
    needle = fold(query[:100])
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
        if not hit and row.phone:
            hit = row.phone == phone or (len(digits) >= 4 and row.phone.endswith(digits[-9:]))
        if hit:
            reason = None if row.status == RegistrationStatus.ACCEPTED else REFUSALS[row.status]
            found.append(
                {
                    "id": row.id,
                    "name": row.full_name,
                    "company": row.company or "",
                    "phone": row.phone or "",
                    "category": row.category.value,
                    "companions": row.companions,
                    "reason": reason.value if reason else None,
                    "checked_in_at": _iso(row.checked_in_at),
                    "door": row.checked_in_door,
                }
            )
            if len(found) >= limit:
                break
    return found


# --------------------------------------------------------------------------- device tokens


def issue_device(event: Event, door: str, label: str, by_user: User) -> tuple[DoorDevice, str]:
    """A new device token for one door of one event; the token itself is returned once."""
    token = new_token(32)
    device = DoorDevice(
        organisation_id=event.organisation_id,
        event_id=event.id,
        door=clean_door(door),
        label=label.strip()[:80],
        token_hash=sha256_hex(token),
        created_by_id=by_user.id,
    )
    db.session.add(device)
    db.session.flush()
    return device, token


def revoke_device(device: DoorDevice) -> None:
    if device.revoked_at is None:
        device.revoked_at = utcnow()
        db.session.flush()
    forget_device(device.id)


def device_for_token(token: str | None) -> DoorDevice | None:
    """The active device whose token this is (looked up by its hash), else None."""
    if not token or len(token) > 200:
        return None
    device = db.session.scalar(
        sa.select(DoorDevice).where(DoorDevice.token_hash == sha256_hex(token))
    )
    if device is None or device.revoked_at is not None:
        return None
    return device


@dataclass(frozen=True)
class DoorEvent:
    """What the door needs of an event: enough for `doors_open` and for scoping."""

    id: int
    organisation_id: int
    status: EventStatus
    starts_at: datetime
    ends_at: datetime


@dataclass
class DeviceInfo:
    """A door device as the API sees it (a plain copy of its row, safe to keep a few seconds)."""

    id: int
    event_id: int
    organisation_id: int
    door: str
    label: str
    last_used_at: datetime | None


@dataclass
class DoorAccess:
    device: DeviceInfo
    event: DoorEvent
    expires: float


# Device tokens are looked up once per TOKEN_CACHE_SECONDS per process and kept in memory
# by the SHA-256 of the token (never the token). A revocation made in this process is
# honoured at once; one made in another process within TOKEN_CACHE_SECONDS (the same for
# an event closed or moved meanwhile: its doors follow within that time).
TOKEN_CACHE_SECONDS = 5.0
TOKEN_CACHE_SIZE = 1000
_token_cache: dict[str, DoorAccess] = {}
_d, _e = DoorDevice.__table__.c, Event.__table__.c
_ACCESS_BY_HASH = (
    sa.select(
        _d.id,
        _d.event_id,
        _d.organisation_id,
        _d.door,
        _d.label,
        _d.last_used_at,
        _e.status,
        _e.starts_at,
        _e.ends_at,
    )
    .join_from(DoorDevice.__table__, Event.__table__, _e.id == _d.event_id)
    .where(_d.token_hash == sa.bindparam("digest"), _d.revoked_at.is_(None))
)
_TOUCH_DEVICE = (
    sa.update(DoorDevice.__table__)
    .where(_d.id == sa.bindparam("device_id"))
    .values(last_used_at=sa.bindparam("now", type_=_d.last_used_at.type))
)
DEVICE_TOUCH_EVERY = timedelta(minutes=1)


def door_access_for_token(token: str | None, ttl: float = TOKEN_CACHE_SECONDS) -> DoorAccess | None:
    """The active device (and its event) whose token this is, else None; cached `ttl` s."""
    if not token or len(token) > 200:
        return None
    digest = sha256_hex(token)
    clock = time.monotonic()
    hit = _token_cache.get(digest)
    if hit is not None and hit.expires > clock:
        return hit
    row = db.session.execute(_ACCESS_BY_HASH, {"digest": digest}).first()
    if row is None:
        _token_cache.pop(digest, None)
        return None
    access = DoorAccess(
        DeviceInfo(
            row.id, row.event_id, row.organisation_id, row.door, row.label, row.last_used_at
        ),
        DoorEvent(row.event_id, row.organisation_id, row.status, row.starts_at, row.ends_at),
        clock + ttl,
    )
    if ttl > 0:
        if len(_token_cache) >= TOKEN_CACHE_SIZE:
            _token_cache.clear()
        _token_cache[digest] = access
    return access


def forget_device(device_id: int) -> None:
    """Drop a device from this process's token cache (on revocation)."""
    for digest, access in list(_token_cache.items()):
        if access.device.id == device_id:
            _token_cache.pop(digest, None)


def _touch_device(conn, device, now: datetime) -> None:
    """Note when a device was last used, at most once a minute per device and process."""
    if device.last_used_at is not None and now - device.last_used_at <= DEVICE_TOUCH_EVERY:
        return
    if isinstance(device, DoorDevice):
        device.last_used_at = now
    else:
        conn.execute(_TOUCH_DEVICE, {"device_id": device.id, "now": now})
        device.last_used_at = now


def devices_of(event: Event) -> list[DoorDevice]:
    return list(
        db.session.scalars(
            sa.select(DoorDevice).where(DoorDevice.event_id == event.id).order_by(DoorDevice.id)
        )
    )


def resolve_conflict(conflict: CheckInConflict) -> None:
    if conflict.resolved_at is None:
        conflict.resolved_at = utcnow()
        db.session.flush()
