"""Follow-ups: every concern an entrepreneur raised, until it has its answer."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, OrgScopedMixin, TimestampMixin, str_enum
from core.tokens import sealed_token

if TYPE_CHECKING:
    from blueprints.events.models import Event
    from blueprints.orgs.models import Partner
    from blueprints.rsvp.models import Registration


class FollowUpStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    NEEDS_DOCUMENTS = "needs_documents"  # answered: the member must bring or send papers
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
    messages: Mapped[list[FollowUpMessage]] = relationship(
        back_populates="followup",
        order_by="FollowUpMessage.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class MessageKind(enum.StrEnum):
    ANSWER = "answer"  # from the partner or the organisers, emailed to the member
    REPLY = "reply"  # the member's one reply to an answer
    NOTE = "note"  # taken in hand, reassigned: the history, not emailed


class MessageOutcome(enum.StrEnum):
    NONE = ""
    RESOLVED = "resolved"
    NEEDS_DOCUMENTS = "needs_documents"
    SOLVED = "solved"  # the member says so
    NOT_SOLVED = "not_solved"  # the member says so: the follow-up opens again


class FollowUpMessage(OrgScopedMixin, Base):
    """One step of a follow-up's thread: answers, the member's replies, hand-overs."""

    __tablename__ = "follow_up_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    followup_id: Mapped[int] = mapped_column(
        sa.ForeignKey("follow_up.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind, "message_kind"))
    outcome: Mapped[MessageOutcome] = mapped_column(
        str_enum(MessageOutcome, "message_outcome"), default=MessageOutcome.NONE
    )
    body: Mapped[str] = mapped_column(sa.Text, default="")
    language: Mapped[str] = mapped_column(sa.String(5), default="", comment="ar or fr")
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    author_name: Mapped[str] = mapped_column(sa.String(200), default="")
    # An answer's one-time reply link for the member (core.tokens); replied_at once used.
    reply_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    reply_sealed: Mapped[str | None] = mapped_column(sa.String(200))
    replied_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(comment="UTC")

    followup: Mapped[FollowUp] = relationship(back_populates="messages")
    reply_token = sealed_token("reply")
