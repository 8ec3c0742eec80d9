"""Events, their programme and their co-hosts."""

from __future__ import annotations

import enum
from datetime import datetime, time
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, OrgScopedMixin, TimestampMixin, str_enum, utcnow
from core.tokens import new_token

if TYPE_CHECKING:
    from blueprints.orgs.models import Organisation, Partner


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    CANCELLED = "cancelled"


event_cohost = sa.Table(
    "event_cohost",
    Base.metadata,
    sa.Column("event_id", sa.ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("partner_id", sa.ForeignKey("partner.id", ondelete="CASCADE"), primary_key=True),
)


def _public_id() -> str:
    return new_token(9)  # 72 bits: a shareable, not guessable-by-counting address


class Event(OrgScopedMixin, TimestampMixin, Base):
    __tablename__ = "event"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("max_companions >= 0", name="companions_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(sa.String(16), unique=True, default=_public_id)
    title_ar: Mapped[str] = mapped_column(sa.String(200), default="")
    title_fr: Mapped[str] = mapped_column(sa.String(200), default="")
    title_en: Mapped[str] = mapped_column(sa.String(200), default="")
    description_ar: Mapped[str] = mapped_column(sa.Text, default="")
    description_fr: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    venue_name: Mapped[str] = mapped_column(sa.String(200), default="")
    venue_name_ar: Mapped[str] = mapped_column(
        sa.String(200), default="", server_default="", comment="the venue in Arabic, if given"
    )
    venue_name_fr: Mapped[str] = mapped_column(
        sa.String(200), default="", server_default="", comment="the venue in French, if given"
    )
    venue_address: Mapped[str] = mapped_column(sa.String(300), default="")
    map_url: Mapped[str] = mapped_column(sa.String(500), default="")
    starts_at: Mapped[datetime] = mapped_column(index=True, comment="UTC")
    ends_at: Mapped[datetime] = mapped_column(comment="UTC")
    capacity: Mapped[int] = mapped_column(default=100, comment="people, companions included")
    rsvp_deadline: Mapped[datetime | None] = mapped_column(comment="UTC; None: until the start")
    max_companions: Mapped[int] = mapped_column(default=0)
    status: Mapped[EventStatus] = mapped_column(
        str_enum(EventStatus, "event_status"), default=EventStatus.DRAFT, index=True
    )
    published_at: Mapped[datetime | None] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()
    calendar_sequence: Mapped[int] = mapped_column(
        default=0,
        server_default="0",
        comment="the .ics SEQUENCE: +1 when time, place or status change",
    )
    report_notes: Mapped[str] = mapped_column(
        sa.Text, default="", server_default="", comment="the organisers' notes in the report"
    )
    badge_format: Mapped[str] = mapped_column(
        sa.String(10),
        default="a4-8",
        server_default="a4-8",
        comment="printed name badges: a4-8 (8 on an A4 sheet) or a6 (one per A6 page)",
    )

    organisation: Mapped[Organisation] = relationship()
    cohosts: Mapped[list[Partner]] = relationship(secondary=event_cohost, order_by="Partner.id")
    programme: Mapped[list[ProgrammeItem]] = relationship(
        back_populates="event",
        order_by="(ProgrammeItem.position, ProgrammeItem.id)",
        cascade="all, delete-orphan",
    )

    @property
    def is_public(self) -> bool:
        return self.status in (EventStatus.PUBLISHED, EventStatus.CLOSED, EventStatus.CANCELLED)

    def venue(self, locale: str) -> str:
        """The venue in `locale` when the organisers wrote it in that language, else the
        venue as written (in whichever script)."""
        return getattr(self, f"venue_name_{locale}", "") or self.venue_name

    @property
    def effective_rsvp_deadline(self) -> datetime:
        return self.rsvp_deadline or self.starts_at

    def rsvp_open(self, now: datetime | None = None) -> bool:
        now = now or utcnow()
        return self.status == EventStatus.PUBLISHED and now < self.effective_rsvp_deadline

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title_fr or self.title_ar}>"


class ProgrammeItem(Base):
    """One line of an event's programme, at a wall-clock time at the venue."""

    __tablename__ = "programme_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    starts_at: Mapped[time | None] = mapped_column(sa.Time, comment="local time at the venue")
    title_ar: Mapped[str] = mapped_column(sa.String(200), default="")
    title_fr: Mapped[str] = mapped_column(sa.String(200), default="")
    title_en: Mapped[str] = mapped_column(sa.String(200), default="")
    speaker_ar: Mapped[str] = mapped_column(sa.String(200), default="", comment="speaker or role")
    speaker_fr: Mapped[str] = mapped_column(sa.String(200), default="")
    speaker_en: Mapped[str] = mapped_column(sa.String(200), default="")

    event: Mapped[Event] = relationship(back_populates="programme")
