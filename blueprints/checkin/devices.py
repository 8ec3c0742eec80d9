"""Door devices: a token per door of an event, and the small cache that lets a phone
scan without a database look-up of its token on every request."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from blueprints.auth.models import User
from blueprints.checkin.models import DoorDevice
from blueprints.checkin.rules import clean_door
from blueprints.events.models import Event, EventStatus
from core.db import utcnow
from core.tokens import new_token, sha256_hex
from extensions import db


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


def touch_device(conn, device, now: datetime) -> None:
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
