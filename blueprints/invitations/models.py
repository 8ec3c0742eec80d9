"""One invitation per member per event, each with its own secret link."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, OrgScopedMixin, TimestampMixin, str_enum
from core.tokens import new_token, sealed_token

if TYPE_CHECKING:
    from blueprints.events.models import Event
    from blueprints.members.models import Member


class Invitation(OrgScopedMixin, TimestampMixin, Base):
    __tablename__ = "invitation"
    __table_args__ = (sa.UniqueConstraint("event_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("member.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, comment="sha256 hex")
    token_sealed: Mapped[str] = mapped_column(sa.String(200), comment="see core.tokens")
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    responded_at: Mapped[datetime | None] = mapped_column(comment="last RSVP answer")
    last_reminded_at: Mapped[datetime | None] = mapped_column()
    shared_by_hand_at: Mapped[datetime | None] = mapped_column(comment="WhatsApp or paper")

    event: Mapped[Event] = relationship()
    member: Mapped[Member] = relationship()

    token = sealed_token("token")

    def __init__(self, **fields) -> None:
        fields.setdefault("token", new_token())
        super().__init__(**fields)


class ReminderSchedule(OrgScopedMixin, TimestampMixin, Base):
    """'Remind those who have not answered N days before the event', run by the workers."""

    __tablename__ = "reminder_schedule"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "days_before"),
        sa.CheckConstraint("days_before >= 0 AND days_before <= 60", name="days_before_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    days_before: Mapped[int] = mapped_column(comment="before the start")
    done_at: Mapped[datetime | None] = mapped_column(comment="when the reminders were queued")
    queued: Mapped[int] = mapped_column(default=0, comment="how many were queued")


class NoticeKind(enum.StrEnum):
    CHANGED = "changed"
    CANCELLED = "cancelled"


class EventNotice(OrgScopedMixin, TimestampMixin, Base):
    """A change to tell invitees about, waiting for the organiser's go-ahead."""

    __tablename__ = "event_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[NoticeKind] = mapped_column(str_enum(NoticeKind, "notice_kind"))
    changes: Mapped[str] = mapped_column(sa.String(40), default="", comment="'time,venue'")
    raised_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    confirmed_at: Mapped[datetime | None] = mapped_column(comment="notices queued then")
    confirmed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    dismissed_at: Mapped[datetime | None] = mapped_column(comment="the organiser said no")
    queued: Mapped[int] = mapped_column(default=0)

    @property
    def change_set(self) -> set[str]:
        return {c for c in self.changes.split(",") if c}


class InvitationJobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class InvitationJob(OrgScopedMixin, TimestampMixin, Base):
    """A large invitation, done by the outbox workers in batches while the organiser waits
    on a progress page. Members are taken in id order: `last_member_id` is where the next
    batch starts, moved in the same commit as the batch's invitations and emails, so a
    batch is either wholly done or not at all and a killed worker's batch is done again."""

    __tablename__ = "invitation_job"
    __table_args__ = (sa.CheckConstraint("done >= 0 AND done <= total", name="done_within_total"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    audience: Mapped[dict] = mapped_column(sa.JSON, default=dict, comment="who to invite")
    state: Mapped[InvitationJobState] = mapped_column(
        str_enum(InvitationJobState, "invitation_job_state"),
        default=InvitationJobState.QUEUED,
        index=True,
    )
    total: Mapped[int] = mapped_column(default=0, comment="members matching when it was made")
    done: Mapped[int] = mapped_column(default=0, comment="members looked at")
    invited: Mapped[int] = mapped_column(default=0)
    emailed: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0, comment="batches that failed (tried again)")
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    last_member_id: Mapped[int] = mapped_column(default=0, comment="the next batch starts after")
    finished_at: Mapped[datetime | None] = mapped_column()

    event: Mapped[Event] = relationship()

    @property
    def percent(self) -> int:
        if self.state == InvitationJobState.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0
