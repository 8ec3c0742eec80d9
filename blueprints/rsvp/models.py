"""Registrations: a person's answer to an event, and the ticket that comes with it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.members.models import MemberCategory
from core.db import Base, OrgScopedMixin, TimestampMixin, str_enum

if TYPE_CHECKING:
    from blueprints.events.models import Event
    from blueprints.invitations.models import Invitation
    from blueprints.members.models import Member


class RegistrationStatus(enum.StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WAITLISTED = "waitlisted"
    PENDING_CONFIRMATION = "pending_confirmation"  # open form: email link not clicked yet
    PENDING_APPROVAL = "pending_approval"  # open form: the organiser decides
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class RegistrationSource(enum.StrEnum):
    INVITATION = "invitation"
    OPEN_FORM = "open_form"
    WALK_IN = "walk_in"


class Registration(OrgScopedMixin, TimestampMixin, Base):
    __tablename__ = "registration"
    __table_args__ = (sa.CheckConstraint("companions >= 0", name="companions_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invitation.id", ondelete="SET NULL"), unique=True
    )
    member_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("member.id", ondelete="SET NULL"), index=True
    )
    source: Mapped[RegistrationSource] = mapped_column(
        str_enum(RegistrationSource, "registration_source"),
        default=RegistrationSource.INVITATION,
    )
    status: Mapped[RegistrationStatus] = mapped_column(
        str_enum(RegistrationStatus, "registration_status"), index=True
    )
    full_name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(20), comment="E.164")
    company: Mapped[str] = mapped_column(sa.String(200), default="")
    trade: Mapped[str] = mapped_column(sa.String(60), default="")
    category: Mapped[MemberCategory] = mapped_column(
        str_enum(MemberCategory, "registration_category"), default=MemberCategory.MEMBER
    )
    locale: Mapped[str] = mapped_column(sa.String(5), default="ar")
    companions: Mapped[int] = mapped_column(default=0, comment="people coming along")
    decline_reason: Mapped[str] = mapped_column(sa.Text, default="")
    consent_at: Mapped[datetime | None] = mapped_column()
    waitlisted_at: Mapped[datetime | None] = mapped_column(comment="order on the waiting list")
    # The ticket: an unguessable code; None until accepted, replaced when reissued.
    ticket_code: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    ticket_issued_at: Mapped[datetime | None] = mapped_column()
    # Check-in: set by one conditional UPDATE (see the check-in service).
    checked_in_at: Mapped[datetime | None] = mapped_column(index=True)
    checked_in_door: Mapped[str | None] = mapped_column(sa.String(40))
    checked_in_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    event: Mapped[Event] = relationship()
    invitation: Mapped[Invitation | None] = relationship()
    member: Mapped[Member | None] = relationship()
    companion_list: Mapped[list[Companion]] = relationship(
        cascade="all, delete-orphan", order_by="Companion.id", lazy="selectin"
    )


class Companion(Base):
    __tablename__ = "companion"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    full_name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
