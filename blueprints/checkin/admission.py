"""Admission at the door: one conditional UPDATE per admission, every scan in the log.

`check_in` is the heart of it. It decides on the registration found for a code and
admits with `UPDATE registration SET checked_in_at = … WHERE id = :id AND
checked_in_at IS NULL`: whichever request changes the row admits, every other one
(on any door, in any process) sees "already checked in". A retry with the same
nonce gets the answer stored in the log and never counts twice.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from blueprints.auth.models import User
from blueprints.checkin.devices import DeviceInfo, touch_device
from blueprints.checkin.models import (
    CheckIn,
    CheckInConflict,
    CheckInMethod,
    CheckInResult,
    DoorDevice,
    RefusalReason,
)
from blueprints.checkin.rules import MAX_NONCE, clean_door, doors_open, iso, refusal_for, scan_time
from blueprints.rsvp import tickets
from blueprints.rsvp.models import Registration, RegistrationStatus, RevokedTicket
from core import audit
from core.db import utcnow
from core.tokens import sha256_hex
from extensions import db

CODE_EXCERPT = 8  # characters of a ticket code kept in the log: 48 of its 192 bits

_registration = Registration.__table__
_checkin = CheckIn.__table__
_device = DoorDevice.__table__
_user = User.__table__
_revoked = RevokedTicket.__table__


def _admit_statement(match):
    """One conditional UPDATE that admits, or tells the door why not, in one round trip.

    It matches the ticket's row whatever its state (same organisation) and changes it only
    when admissible: the right event, accepted, doors open (`:open`), not yet admitted.
    Every column it sets keeps its value otherwise, so a refused scan writes nothing new.
    The admitting scan writes its own random `:attempt` into `checked_in_attempt`: the
    returned row says whether *this* scan admitted (any other door, in any process, sees
    another number). For a ticket admitted before, RETURNING also carries when, where
    and by whom (the latest admission in the log, its account and its device), so the
    refusal path costs what admission costs: this statement and the log's INSERT.
    """
    r, c = _registration.c, _checkin.c
    admissible = sa.and_(
        sa.bindparam("open", type_=sa.Boolean),
        r.event_id == sa.bindparam("event"),
        r.status == RegistrationStatus.ACCEPTED,
        r.checked_in_at.is_(None),
    )

    def when_admissible(value, column):
        return sa.case((admissible, value), else_=column)

    won = r.checked_in_attempt == sa.bindparam("attempt")

    def unless_won(value):  # the details of an earlier admission, looked up only then
        return sa.case((won, sa.null()), else_=value)

    # The scanned row, named in full: SQLite writes RETURNING's columns without their
    # table, so a correlated `r.id` would read as the log's own `id` in the subquery.
    scanned_id = sa.literal_column(f"{_registration.name}.id")
    latest = (
        sa.select(sa.func.max(c.id))
        .where(c.registration_id == scanned_id, c.result == CheckInResult.ADMITTED)
        .scalar_subquery()
    )
    admission = _checkin.alias("admission")

    def of_admission(column):
        return (
            sa.select(column)
            .where(admission.c.id == latest)
            .correlate(_registration)
            .scalar_subquery()
        )

    user_id = sa.func.coalesce(of_admission(admission.c.user_id), r.checked_in_by_id)
    device_id = of_admission(admission.c.device_id)

    def of_user(column):
        return (
            sa.select(column)
            .where(_user.c.id == user_id)
            .correlate(_registration)
            .scalar_subquery()
        )

    def of_device(column):
        return (
            sa.select(column)
            .where(_device.c.id == device_id)
            .correlate(_registration)
            .scalar_subquery()
        )

    return audit.bulk(
        sa.update(_registration)
        .where(match, r.organisation_id == sa.bindparam("org"))
        .values(
            checked_in_at=when_admissible(
                sa.bindparam("at", type_=r.checked_in_at.type), r.checked_in_at
            ),
            checked_in_door=when_admissible(
                sa.bindparam("door", type_=sa.String), r.checked_in_door
            ),
            checked_in_by_id=when_admissible(
                sa.bindparam("by", type_=sa.Integer), r.checked_in_by_id
            ),
            checked_in_attempt=when_admissible(
                sa.bindparam("attempt", type_=sa.BigInteger), r.checked_in_attempt
            ),
            updated_at=when_admissible(sa.bindparam("now", type_=r.updated_at.type), r.updated_at),
        )
        .returning(
            r.id,
            r.event_id,
            r.status,
            r.full_name,
            r.company,
            r.category,
            r.companions,
            r.checked_in_at,
            r.checked_in_door,
            won.label("admitted"),
            unless_won(user_id).label("user_id"),
            unless_won(device_id).label("device_id"),
            unless_won(of_admission(admission.c.client_id)).label("client_id"),
            unless_won(of_user(_user.c.full_name)).label("user_name"),
            unless_won(of_user(_user.c.email)).label("user_email"),
            unless_won(of_device(_device.c.label)).label("device_label"),
            unless_won(of_device(_device.c.door)).label("device_door"),
        ),
        # The door's log (checkin) keeps every admission with its door, device or account
        # and time; one found by search rather than scanned is also `checkin.manual`.
        "checkin log; checkin.manual",
    )


# Built once: no statement construction on the hot path, only the compiled-cache lookup.
_ADMIT_BY_CODE = _admit_statement(_registration.c.ticket_code_hash == sa.bindparam("code"))
_ADMIT_BY_ID = _admit_statement(_registration.c.id == sa.bindparam("rid"))
_INSERT_LOG = sa.insert(_checkin).returning(_checkin.c.id)


@dataclass(frozen=True)
class Scan:
    """One attempt at the door: what was presented, where, by whom, when and how.

    `key` says how the registration is found: "code" (a ticket code), "rid" (its id, from
    a search) or None (nothing readable was presented).
    """

    key: str | None
    value: str | int | None
    door: str
    user: User | None
    device: DoorDevice | DeviceInfo | None
    nonce: str | None
    client_time: datetime | None
    at: datetime
    offline: bool
    method: CheckInMethod
    excerpt: str
    note: dict | None = None  # kept in the log's answer (e.g. an admission over capacity)
    client_id: str | None = None  # the phone's own id (a door page sends it)

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None


@dataclass
class Outcome:
    """What the door is told, before it is logged."""

    result: CheckInResult
    reason: RefusalReason | None = None
    registration_id: int | None = None
    summary: dict | None = None
    checked_in_at: str | None = None
    first: dict | None = None

    def answer(self) -> dict:
        first = self.first
        return {
            "result": self.result.value,
            "reason": self.reason.value if self.reason else None,
            "registration": self.summary,
            "checked_in_at": self.checked_in_at,
            "first_check_in": {k: first[k] for k in ("at", "door", "by")} if first else None,
        }


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
    client_id: str | None = None,
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
    if ticket is None:
        key, value, excerpt = None, None, (code if isinstance(code, str) else "")[:80]
    else:  # looked up by its digest; the log keeps a start too short to be used
        key, value, excerpt = "code", sha256_hex(ticket), ticket[:CODE_EXCERPT]
    now = now or utcnow()
    scan = _scan(key, value, door, by_user, device, nonce, scanned_at, offline, method, now)
    return _attempt(event, replace(scan, excerpt=excerpt, client_id=client_id), conn, now)


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
    note: dict | None = None,
    client_id: str | None = None,
) -> dict:
    """Admit a registration found by search (or on its ticket page) rather than scanned."""
    now = utcnow()
    scan = _scan(
        "rid", registration_id, door, by_user, device, nonce, scanned_at, offline, method, now
    )
    return _attempt(event, replace(scan, note=note, client_id=client_id), conn, now)


def _scan(key, value, door, user, device, nonce, client_time, offline, method, now) -> Scan:
    return Scan(
        key=key,
        value=value,
        door=clean_door(door),
        user=user,
        device=device,
        nonce=(nonce or "")[:MAX_NONCE] or None,
        client_time=client_time if client_time is not None and client_time.tzinfo else None,
        at=scan_time(client_time, now),
        offline=bool(offline),
        method=method,
        excerpt="",
    )


def _attempt(event, scan: Scan, conn: sa.Connection | None, now) -> dict:
    """Decide, log, and note a conflict; a duplicate nonce returns the stored answer."""
    own_connection = conn is not None
    if conn is None:
        conn = db.session.connection()
    outcome = _decide(conn, event, scan, now)
    answer = {**outcome.answer(), **(scan.note or {})}
    try:
        # A savepoint-free INSERT: a duplicate nonce fails here and rolls everything back.
        log_id = _log(conn, event, scan, outcome, answer, now)
    except IntegrityError:
        # The same nonce was logged by a concurrent retry: its answer is the answer.
        if own_connection:
            conn.rollback()
        else:
            db.session.rollback()
            conn = db.session.connection()
        stored = _stored_answer(conn, event, scan.nonce)
        if stored is None:
            raise
        return stored
    if outcome.first is not None and scan.offline and _is_conflict(outcome.first, scan):
        _record_conflict(conn, event, scan, outcome, log_id, now)
    if scan.device is not None:
        touch_device(conn, scan.device, now)
    return answer


def _decide(conn, event, scan: Scan, now) -> Outcome:
    """Admit if the UPDATE takes the row; otherwise say why not, from what it returned."""
    org = event.organisation_id
    if scan.key is None:  # nothing readable was presented
        return Outcome(CheckInResult.NOT_VALID, RefusalReason.UNKNOWN)
    params = {
        scan.key: scan.value,
        "org": org,
        "event": event.id,
        "open": doors_open(event, scan.at),
        "at": scan.at,
        "now": now,
        "door": scan.door,
        "by": scan.user_id,
        "attempt": secrets.randbits(62),
    }
    admit = _ADMIT_BY_CODE if scan.key == "code" else _ADMIT_BY_ID
    state, revoked = conn.execute(admit, params).first(), False
    if state is None and scan.key == "code":
        state, revoked = _revoked_state(conn, params), True
    if state is None:
        return Outcome(CheckInResult.NOT_VALID, RefusalReason.UNKNOWN)
    summary = _summary(state)
    if state.admitted and not revoked:
        return Outcome(CheckInResult.ADMITTED, None, state.id, summary, iso(scan.at))
    if state.event_id != event.id:  # another event's guest is not this door's
        return Outcome(CheckInResult.NOT_VALID, RefusalReason.WRONG_EVENT)
    reason = _refusal(event, scan, state, revoked)
    if reason is not None:
        return Outcome(CheckInResult.NOT_VALID, reason, state.id, summary)
    first = _first_from_state(state)
    return Outcome(CheckInResult.ALREADY_CHECKED_IN, None, state.id, summary, first["at"], first)


def _refusal(event, scan: Scan, state, revoked: bool) -> RefusalReason | None:
    if not doors_open(event, scan.at):
        return RefusalReason.EVENT_NOT_OPEN
    if revoked:
        return RefusalReason.REVOKED
    return refusal_for(state.status)


def _log(conn, event, scan: Scan, outcome: Outcome, answer: dict, now) -> int:
    """Every scan in the log, with the answer a retry of the same nonce gets back."""
    return conn.execute(
        _INSERT_LOG,
        {
            "organisation_id": event.organisation_id,
            "event_id": event.id,
            "registration_id": outcome.registration_id,
            "door": scan.door,
            "device_id": scan.device.id if scan.device is not None else None,
            "user_id": scan.user_id if scan.device is None else None,
            "method": scan.method,
            "nonce": scan.nonce,
            "code_excerpt": scan.excerpt,
            "result": outcome.result,
            "reason": outcome.reason,
            "offline": scan.offline,
            "client_time": scan.client_time,
            "client_id": scan.client_id,
            "created_at": now,
            "answer": answer,
        },
    ).scalar_one()


def _record_conflict(conn, event, scan: Scan, outcome: Outcome, log_id: int, now) -> None:
    conn.execute(
        sa.insert(CheckInConflict.__table__),
        {
            "organisation_id": event.organisation_id,
            "event_id": event.id,
            "registration_id": outcome.registration_id,
            "checkin_id": log_id,
            "first_at": outcome.first["at_dt"],
            "first_door": outcome.first["door"] or "",
            "second_at": scan.at,
            "second_door": scan.door,
            "created_at": now,
        },
    )


def _summary(row) -> dict:
    return {
        "name": row.full_name,
        "company": row.company or "",
        "category": getattr(row.category, "value", row.category),
        "companions": row.companions,
    }


def _revoked_state(conn, params):
    """The registration a revoked ticket code belonged to, looked at but never admitted."""
    revoked_id = conn.execute(
        sa.select(_revoked.c.registration_id).where(
            _revoked.c.code_hash == params["code"], _revoked.c.organisation_id == params["org"]
        )
    ).scalar()
    if revoked_id is None:
        return None
    # `open` false: the UPDATE changes nothing and only reads the registration's state.
    look = {**params, "rid": revoked_id, "open": False}
    look.pop("code")
    return conn.execute(_ADMIT_BY_ID, look).first()


def _first_from_state(state) -> dict:
    if state.device_id is not None:
        by = state.device_label or state.device_door or ""
    else:
        by = state.user_name or state.user_email or ""
    return {
        "at": iso(state.checked_in_at),
        "at_dt": state.checked_in_at,
        "door": state.checked_in_door,
        "by": by,
        "user_id": None if state.device_id is not None else state.user_id,
        "device_id": state.device_id,
        "client_id": state.client_id,
    }


def _stored_answer(conn, event, nonce: str | None) -> dict | None:
    if not nonce:
        return None
    return conn.execute(
        sa.select(_checkin.c.answer).where(
            _checkin.c.event_id == event.id, _checkin.c.nonce == nonce
        )
    ).scalar()


def _is_conflict(first: dict, scan: Scan) -> bool:
    """An offline scan that met an admission made elsewhere: two people let in on one ticket."""
    if first["door"] != scan.door:
        return True
    if scan.device is not None:
        return first["device_id"] != scan.device.id
    if first["user_id"] != scan.user_id:
        return True
    # One account on two phones: each phone sends its own id.
    return bool(first["client_id"] and scan.client_id and first["client_id"] != scan.client_id)
