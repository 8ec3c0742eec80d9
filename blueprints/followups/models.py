"""Follow-ups: every concern an entrepreneur raised, until it has its answer."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, OrgScopedMixin, TimestampMixin, str_enum

if TYPE_CHECKING:
    from blueprints.events.models import Event
    from blueprints.orgs.models import Partner
    from blueprints.rsvp.models import Registration


class FollowUpStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"


class FollowUpSource(enum.StrEnum):
    RSVP = "rsvp"
    SURVEY = "survey"
    DOOR = "door"
    ORGANISER = "organiser"


class FollowUp(OrgScopedMixin, TimestampMixin, Base):
    __tablename__ = "follow_up"
    __table_args__ = (
        sa.CheckConstraint(
            "status != 'resolved' OR resolved_at IS NOT NULL", name="resolved_has_date"
        ),
        sa.Index("ix_follow_up_org_status", "organisation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(sa.Text, comment="the concern, as raised")
    question: Mapped[str] = mapped_column(sa.String(500), default="", comment="where it was asked")
    source: Mapped[FollowUpSource] = mapped_column(str_enum(FollowUpSource, "follow_up_source"))
    # NULL when raised anonymously (anonymous survey) or by staff for someone unnamed.
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    raised_by_name: Mapped[str] = mapped_column(sa.String(200), default="")
    raised_by_contact: Mapped[str] = mapped_column(sa.String(254), default="")
    partner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("partner.id", ondelete="SET NULL"), index=True, comment="assigned body"
    )
    department: Mapped[str] = mapped_column(sa.String(120), default="", comment="or free text")
    status: Mapped[FollowUpStatus] = mapped_column(
        str_enum(FollowUpStatus, "follow_up_status"), default=FollowUpStatus.OPEN
    )
    resolution: Mapped[str] = mapped_column(sa.Text, default="", comment="the answer given")
    started_at: Mapped[datetime | None] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    event: Mapped[Event] = relationship()
    partner: Mapped[Partner | None] = relationship()
    registration: Mapped[Registration | None] = relationship()
