"""The door: every scan in a log, per-door device tokens, and offline conflicts."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, OrgScopedMixin, str_enum, utcnow

if TYPE_CHECKING:
    from blueprints.auth.models import User
    from blueprints.events.models import Event
    from blueprints.rsvp.models import Registration


class CheckInResult(enum.StrEnum):
    ADMITTED = "admitted"
    ALREADY_CHECKED_IN = "already_checked_in"
    NOT_VALID = "not_valid"
    UNDONE = "undone"  # an admission taken back at the door (log only, never an API answer)


class RefusalReason(enum.StrEnum):
    UNKNOWN = "unknown"
    REVOKED = "revoked"
    DECLINED = "declined"
    WAITLISTED = "waitlisted"
    WRONG_EVENT = "wrong_event"
    EVENT_NOT_OPEN = "event_not_open"


class CheckInMethod(enum.StrEnum):
    SCAN = "scan"  # a code sent by the door page's camera or a device
    SEARCH = "search"  # found by name or phone and tapped
    WALK_IN = "walk_in"  # registered at the door
    TICKET_PAGE = "ticket_page"  # the Admit button on /t/<code>
    UNDO = "undo"


class DoorDevice(OrgScopedMixin, Base):
    """A phone or scanner allowed to check people in at one door of one event.

    Only the SHA-256 of its bearer token is kept: the token is shown once.
    """

    __tablename__ = "door_device"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    door: Mapped[str] = mapped_column(sa.String(40), comment="the door it stands at")
    label: Mapped[str] = mapped_column(sa.String(80), default="", comment="e.g. Samira's phone")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, comment="sha256 hex")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, comment="UTC")
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    event: Mapped[Event] = relationship(lazy="joined")

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class CheckIn(OrgScopedMixin, Base):
    """One scan or admission attempt at the door, refused ones included."""

    __tablename__ = "checkin"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "nonce"),
        sa.Index("ix_checkin_event_id_created_at", "event_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"))
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    door: Mapped[str] = mapped_column(sa.String(40), default="")
    device_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("door_device.id", ondelete="SET NULL"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    method: Mapped[CheckInMethod] = mapped_column(
        str_enum(CheckInMethod, "checkin_method"), default=CheckInMethod.SCAN
    )
    nonce: Mapped[str | None] = mapped_column(sa.String(64), comment="client-made retry key")
    code_excerpt: Mapped[str] = mapped_column(
        sa.String(80), default="", comment="start of what was scanned"
    )
    result: Mapped[CheckInResult] = mapped_column(str_enum(CheckInResult, "checkin_result"))
    reason: Mapped[RefusalReason | None] = mapped_column(str_enum(RefusalReason, "checkin_reason"))
    offline: Mapped[bool] = mapped_column(default=False, comment="queued while offline")
    client_time: Mapped[datetime | None] = mapped_column(comment="UTC, the scan time it sent")
    client_id: Mapped[str | None] = mapped_column(
        sa.String(64), comment="the phone's own id: two phones on one account are told apart"
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, comment="UTC, server time")
    answer: Mapped[dict] = mapped_column(sa.JSON, default=dict, comment="what the API answered")

    registration: Mapped[Registration | None] = relationship()
    device: Mapped[DoorDevice | None] = relationship()
    user: Mapped[User | None] = relationship()


class CheckInConflict(OrgScopedMixin, Base):
    """A ticket admitted twice while doors were offline: told to the organiser, not merged."""

    __tablename__ = "checkin_conflict"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    checkin_id: Mapped[int] = mapped_column(
        sa.ForeignKey("checkin.id", ondelete="CASCADE"), comment="the late offline admission"
    )
    first_at: Mapped[datetime | None] = mapped_column(comment="UTC")
    first_door: Mapped[str] = mapped_column(sa.String(40), default="")
    second_at: Mapped[datetime | None] = mapped_column(comment="UTC, the offline scan time")
    second_door: Mapped[str] = mapped_column(sa.String(40), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, comment="UTC")
    resolved_at: Mapped[datetime | None] = mapped_column()

    registration: Mapped[Registration] = relationship()
