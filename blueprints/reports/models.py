"""The press release of an event, one text per language, kept with the event; the
background jobs that make large badge sheets."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from core.db import Base, OrgScopedMixin, TimestampMixin, str_enum

if TYPE_CHECKING:
    from blueprints.events.models import Event

RELEASE_LANGUAGES = ("ar", "fr")


class PressRelease(OrgScopedMixin, TimestampMixin, Base):
    """A draft built from the event's data, then edited by an organiser."""

    __tablename__ = "press_release"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "language"),
        sa.CheckConstraint("language IN ('ar', 'fr')", name="language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(sa.String(5), comment="ar or fr")
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    edited: Mapped[bool] = mapped_column(
        default=False, comment="an organiser changed the generated text since it was built"
    )


class BadgeJobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class BadgeJob(OrgScopedMixin, TimestampMixin, Base):
    """A large badge sheet, made by the outbox workers in parts while the organiser watches
    a progress page, then joined into one PDF kept for a day (reports/badge_jobs.py).

    `people` is the sheet as it was asked for ("r<id>" a registrant, "c<id>" a companion,
    in print order); `done` of them are in parts already."""

    __tablename__ = "badge_job"
    __table_args__ = (sa.CheckConstraint("done >= 0 AND done <= total", name="done_within_total"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    choice: Mapped[dict] = mapped_column(sa.JSON, default=dict, comment="who is on the sheet")
    people: Mapped[list] = mapped_column(sa.JSON, default=list, comment="r<id> / c<id>, in order")
    language: Mapped[str] = mapped_column(sa.String(5), default="ar")
    badge_format: Mapped[str] = mapped_column(sa.String(10), default="a4-8")
    state: Mapped[BadgeJobState] = mapped_column(
        str_enum(BadgeJobState, "badge_job_state"), default=BadgeJobState.QUEUED, index=True
    )
    total: Mapped[int] = mapped_column(default=0, comment="badges on the sheet")
    done: Mapped[int] = mapped_column(default=0, comment="badges rendered into parts")
    errors: Mapped[int] = mapped_column(default=0, comment="steps that failed (tried again)")
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    finished_at: Mapped[datetime | None] = mapped_column()
    pdf: Mapped[bytes | None] = deferred(
        mapped_column(sa.LargeBinary, comment="the joined PDF; emptied a day after")
    )
    pdf_size: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship()

    @property
    def percent(self) -> int:
        if self.state == BadgeJobState.DONE:
            return 100
        # the last step (joining the parts) is counted as one part's worth
        return min(99, self.done * 100 // (self.total + 1)) if self.total else 0


class BadgeJobPart(Base):
    """One rendered part of a badge job (a few pages), until the parts are joined."""

    __tablename__ = "badge_job_part"
    __table_args__ = (sa.UniqueConstraint("job_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(sa.ForeignKey("badge_job.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(comment="0, 1, … in print order")
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
