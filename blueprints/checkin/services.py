"""Check-in at the door: one conditional UPDATE per admission, every scan in the log.

`check_in` is the heart of it. It decides on the registration found for a code and
admits with `UPDATE registration SET checked_in_at = … WHERE id = :id AND
checked_in_at IS NULL`: whichever request changes the row admits, every other one
(on any door, in any process) sees "already checked in". A retry with the same
nonce gets the answer stored in the log and never counts twice.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

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
from blueprints.rsvp import models as rsvp_models
from blueprints.rsvp.models import Registration, RegistrationSource, RegistrationStatus
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
TICKET_CODE = re.compile(r"[A-Za-z0-9_-]{8,64}")
TICKET_PATH = re.compile(r"/t/([A-Za-z0-9_-]{8,64})/?(?:[?#].*)?$")
REFUSALS = {
    RegistrationStatus.DECLINED: RefusalReason.DECLINED,
    RegistrationStatus.WAITLISTED: RefusalReason.WAITLISTED,
    RegistrationStatus.CANCELLED: RefusalReason.REVOKED,
    RegistrationStatus.REJECTED: RefusalReason.REVOKED,
    RegistrationStatus.PENDING_APPROVAL: RefusalReason.UNKNOWN,
    RegistrationStatus.PENDING_CONFIRMATION: RefusalReason.UNKNOWN,
}
# Replaced or revoked ticket codes, when the RSVP feature keeps them ("revoked", not "unknown").
RevokedTicket = getattr(rsvp_models, "RevokedTicket", None)
BADGE_CATEGORIES = (MemberCategory.OFFICIAL, MemberCategory.PARTNER)


class CheckInError(Exception):
    """A door action that cannot be done; the message is translated."""


# --------------------------------------------------------------------------- helpers


def extract_code(scanned: str | None) -> str | None:
    """The ticket code in what the camera read: a ticket URL (…/t/<code>) or a bare code."""
    if not isinstance(scanned, str):
        return None
    text = scanned.strip()
    if len(text) > 500:
        return None
    if TICKET_CODE.fullmatch(text):
        return text
    match = TICKET_PATH.search(text)
    return match.group(1) if match else None


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


def check_in(
    event: Event,
    code: str | None,
    door: str | None,
    by_user: User | None = None,
    device: DoorDevice | None = None,
    nonce: str | None = None,
    scanned_at: datetime | None = None,
    offline: bool = False,
    method: CheckInMethod = CheckInMethod.SCAN,
) -> dict:
    """Admit the ticket `code` (a ticket URL or a bare code) at `event`; the API answer.

    A nonce seen before is caught by the unique (event_id, nonce) constraint when the
    log row is written: the whole attempt is rolled back and the stored answer returned.
    """
    ticket = extract_code(code)
    registration = None
    if ticket is not None:
        registration = db.session.scalar(
            sa.select(Registration)
            .options(lazyload("*"))  # companions and answers are not needed at the door
            .where(
                Registration.ticket_code == ticket,
                Registration.organisation_id == event.organisation_id,
            )
        )
        if registration is None:
            registration = _revoked_registration(event, ticket)
            if registration is not None:
                return _decide(
                    event,
                    registration,
                    door,
                    by_user,
                    device,
                    nonce,
                    scanned_at,
                    offline,
                    method,
                    ticket[:80],
                    revoked=True,
                )
    excerpt = (code if isinstance(code, str) else "")[:80]
    return _decide(
        event, registration, door, by_user, device, nonce, scanned_at, offline, method, excerpt
    )


def check_in_registration(
    event: Event,
    registration_id: int,
    door: str | None,
    by_user: User | None = None,
    device: DoorDevice | None = None,
    nonce: str | None = None,
    scanned_at: datetime | None = None,
    offline: bool = False,
    method: CheckInMethod = CheckInMethod.SEARCH,
) -> dict:
    """Admit a registration found by search (or on its ticket page) rather than scanned."""
    registration = db.session.scalar(
        sa.select(Registration).where(
            Registration.id == registration_id,
            Registration.organisation_id == event.organisation_id,
        )
    )
    return _decide(
        event, registration, door, by_user, device, nonce, scanned_at, offline, method, ""
    )


def _stored_answer(event: Event, nonce: str | None) -> dict | None:
    if not nonce:
        return None
    return db.session.scalar(
        sa.select(CheckIn.answer).where(CheckIn.event_id == event.id, CheckIn.nonce == nonce)
    )


def _revoked_registration(event: Event, ticket: str) -> Registration | None:
    """The registration a revoked or replaced ticket belonged to (kept by the RSVP feature)."""
    if RevokedTicket is None:
        return None
    return db.session.scalar(
        sa.select(Registration)
        .join(RevokedTicket, RevokedTicket.registration_id == Registration.id)
        .where(RevokedTicket.code == ticket, RevokedTicket.organisation_id == event.organisation_id)
    )


def _decide(
    event,
    registration,
    door,
    by_user,
    device,
    nonce,
    scanned_at,
    offline,
    method,
    excerpt,
    revoked=False,
) -> dict:
    now = utcnow()
    at = _scan_time(scanned_at, now)
    door = clean_door(door)
    nonce = (nonce or "")[:MAX_NONCE] or None
    answer = {
        "result": CheckInResult.NOT_VALID.value,
        "reason": None,
        "registration": None,
        "checked_in_at": None,
        "first_check_in": None,
    }
    reason = None
    if registration is None:
        reason = RefusalReason.UNKNOWN
    elif registration.event_id != event.id:
        reason = RefusalReason.WRONG_EVENT
        registration = None  # another event's guest is not this door's business
    elif not doors_open(event, at):
        reason = RefusalReason.EVENT_NOT_OPEN
    elif revoked:
        reason = RefusalReason.REVOKED
    elif registration.status != RegistrationStatus.ACCEPTED:
        reason = REFUSALS.get(registration.status, RefusalReason.UNKNOWN)

    if registration is not None:
        answer["registration"] = registration_summary(registration)

    first = None
    if reason is not None:
        answer["reason"] = reason.value
        result = CheckInResult.NOT_VALID
    else:
        changed = db.session.execute(
            sa.update(Registration)
            .where(Registration.id == registration.id, Registration.checked_in_at.is_(None))
            .values(
                checked_in_at=at,
                checked_in_door=door,
                checked_in_by_id=by_user.id if by_user is not None else None,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed == 1:
            result = CheckInResult.ADMITTED
            answer["checked_in_at"] = _iso(at)
        else:
            result = CheckInResult.ALREADY_CHECKED_IN
            first = _first_check_in(registration.id)
            answer["checked_in_at"] = first["at"]
            answer["first_check_in"] = {k: first[k] for k in ("at", "door", "by")}
        answer["result"] = result.value

    log = CheckIn(
        organisation_id=event.organisation_id,
        event_id=event.id,
        registration_id=registration.id if registration is not None else None,
        door=door,
        device_id=device.id if device is not None else None,
        user_id=by_user.id if by_user is not None and device is None else None,
        method=method,
        nonce=nonce,
        code_excerpt=excerpt,
        result=result,
        reason=reason,
        offline=bool(offline),
        client_time=scanned_at if scanned_at is not None and scanned_at.tzinfo else None,
        created_at=now,
        answer=answer,
    )
    db.session.add(log)
    try:
        db.session.flush()
    except IntegrityError:
        # The same nonce was logged by a concurrent retry: its answer is the answer.
        db.session.rollback()
        stored = _stored_answer(event, nonce)
        if stored is None:
            raise
        return stored
    if first is not None and offline and _is_conflict(first, door, by_user, device):
        db.session.add(
            CheckInConflict(
                organisation_id=event.organisation_id,
                event_id=event.id,
                registration_id=registration.id,
                checkin_id=log.id,
                first_at=first["at_dt"],
                first_door=first["door"] or "",
                second_at=at,
                second_door=door,
            )
        )
        db.session.flush()
    if device is not None and (
        device.last_used_at is None or now - device.last_used_at > timedelta(minutes=1)
    ):
        device.last_used_at = now
    return answer


def _first_check_in(registration_id: int) -> dict:
    """When, where and by whom a registration was admitted (read fresh, not from the session).

    One statement: the registration's columns and, through an outer join, the latest
    admission in the log with its account or device.
    """
    latest = (
        sa.select(sa.func.max(CheckIn.id))
        .where(
            CheckIn.registration_id == registration_id,
            CheckIn.result == CheckInResult.ADMITTED,
        )
        .scalar_subquery()
    )
    row = db.session.execute(
        sa.select(
            Registration.checked_in_at,
            Registration.checked_in_door,
            sa.func.coalesce(CheckIn.user_id, Registration.checked_in_by_id).label("user_id"),
            CheckIn.device_id,
            User.full_name,
            User.email,
            DoorDevice.label,
            DoorDevice.door,
        )
        .select_from(Registration)
        .outerjoin(CheckIn, CheckIn.id == latest)
        .outerjoin(
            User, User.id == sa.func.coalesce(CheckIn.user_id, Registration.checked_in_by_id)
        )
        .outerjoin(DoorDevice, DoorDevice.id == CheckIn.device_id)
        .where(Registration.id == registration_id)
    ).one()
    if row.device_id is not None:
        by = row.label or row.door or ""
    else:
        by = row.full_name or row.email or ""
    return {
        "at": _iso(row.checked_in_at),
        "at_dt": row.checked_in_at,
        "door": row.checked_in_door,
        "by": by,
        "user_id": None if row.device_id is not None else row.user_id,
        "device_id": row.device_id,
    }


def _is_conflict(first: dict, door: str, user: User | None, device: DoorDevice | None) -> bool:
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
    now = utcnow()
    registration = Registration(
        organisation_id=event.organisation_id,
        event_id=event.id,
        source=RegistrationSource.WALK_IN,
        status=RegistrationStatus.ACCEPTED,
        full_name=name[:200],
        phone=phone,
        company=data.company.strip()[:200],
        trade=data.trade.strip()[:60],
        category=MemberCategory.GUEST,
        locale=data.locale,
        companions=0,
        consent_at=now,
        ticket_code=new_token(),
        ticket_issued_at=now,
    )
    db.session.add(registration)
    db.session.flush()
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
