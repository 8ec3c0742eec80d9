"""Registrations: a person's answer to an event, and the ticket that comes with it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.members.models import MemberCategory
from core.db import Base, OrgScopedMixin, TimestampMixin, str_enum, utcnow
from core.tokens import new_token, sealed_token

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
    ticket_code_hash: Mapped[str | None] = mapped_column(
        sa.String(64), unique=True, comment="sha256 hex"
    )
    ticket_code_sealed: Mapped[str | None] = mapped_column(sa.String(200))
    ticket_issued_at: Mapped[datetime | None] = mapped_column()
    # Check-in: set by one conditional UPDATE (see the check-in service).
    checked_in_at: Mapped[datetime | None] = mapped_column(index=True)
    checked_in_door: Mapped[str | None] = mapped_column(sa.String(40))
    checked_in_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    checked_in_attempt: Mapped[int | None] = mapped_column(
        sa.BigInteger, comment="random number drawn by the scan that admitted (tells it it won)"
    )
    badge_printed_at: Mapped[datetime | None] = mapped_column(
        comment="when a PDF with this person's name badge was last made"
    )

    ticket_code = sealed_token("ticket_code")

    event: Mapped[Event] = relationship()
    invitation: Mapped[Invitation | None] = relationship()
    member: Mapped[Member | None] = relationship()
    companion_list: Mapped[list[Companion]] = relationship(
        cascade="all, delete-orphan", order_by="Companion.id", lazy="selectin"
    )
    answers: Mapped[list[Answer]] = relationship(
        cascade="all, delete-orphan", order_by="Answer.question_id", lazy="selectin"
    )

    @property
    def seats(self) -> int:
        """The places this registration takes: the person and their companions."""
        return 1 + (self.companions or 0)


class Companion(Base):
    __tablename__ = "companion"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    full_name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    badge_printed_at: Mapped[datetime | None] = mapped_column(
        comment="when a PDF with this companion's name badge was last made"
    )


class QuestionKind(enum.StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    NUMBER = "number"
    PHONE = "phone"
    EMAIL = "email"
    DATE = "date"


CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)


class Question(OrgScopedMixin, TimestampMixin, Base):
    """A question the organiser asks on an event's RSVP form, in Arabic and French.

    Choices are one per line in each language, paired by their line number; answers keep
    the line number, so that a summary counts the same choice whatever language was used.
    """

    __tablename__ = "rsvp_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0, comment="order on the form")
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, "rsvp_question_kind"))
    label_ar: Mapped[str] = mapped_column(sa.String(300), default="")
    label_fr: Mapped[str] = mapped_column(sa.String(300), default="")
    help_ar: Mapped[str] = mapped_column(sa.String(500), default="")
    help_fr: Mapped[str] = mapped_column(sa.String(500), default="")
    choices_ar: Mapped[str] = mapped_column(sa.Text, default="", comment="one per line")
    choices_fr: Mapped[str] = mapped_column(sa.Text, default="", comment="one per line")
    required: Mapped[bool] = mapped_column(default=False)
    is_concern: Mapped[bool] = mapped_column(default=False, comment="answers go to follow-ups")

    def choices(self, locale: str) -> list[str]:
        """The choices in `locale`, each falling back to the other language's line."""
        own = (self.choices_ar if locale == "ar" else self.choices_fr).splitlines()
        other = (self.choices_fr if locale == "ar" else self.choices_ar).splitlines()
        count = max(len(own), len(other))
        result = []
        for i in range(count):
            text = own[i].strip() if i < len(own) else ""
            result.append(text or (other[i].strip() if i < len(other) else ""))
        return result


class Answer(OrgScopedMixin, Base):
    """One registration's answer to one question (choices as line numbers, "0,2")."""

    __tablename__ = "rsvp_answer"
    __table_args__ = (sa.UniqueConstraint("registration_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("rsvp_question.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, comment="UTC")

    question: Mapped[Question] = relationship(lazy="joined")


class RsvpSettings(OrgScopedMixin, Base):
    """Per-event RSVP options; an event without a row has the defaults (all off)."""

    __tablename__ = "rsvp_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event.id", ondelete="CASCADE"), unique=True
    )
    open_registration: Mapped[bool] = mapped_column(default=False, comment="public form")
    requires_approval: Mapped[bool] = mapped_column(default=False, comment="organiser decides")


class RegistrationConfirmation(OrgScopedMixin, Base):
    """The emailed link that confirms an open-form registration; it expires."""

    __tablename__ = "registration_confirmation"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, comment="sha256 hex")
    token_sealed: Mapped[str] = mapped_column(sa.String(200), comment="see core.tokens")
    expires_at: Mapped[datetime] = mapped_column(comment="UTC")
    confirmed_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    registration: Mapped[Registration] = relationship()

    token = sealed_token("token")

    def __init__(self, **fields) -> None:
        fields.setdefault("token", new_token())
        super().__init__(**fields)


class RevokedTicket(OrgScopedMixin, Base):
    """A ticket code that no longer admits anyone (revoked or replaced by a reissue).

    Kept so that the door and the ticket page can say "revoked" rather than "unknown".
    """

    __tablename__ = "rsvp_revoked_ticket"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, comment="sha256 hex")
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    revoked_at: Mapped[datetime] = mapped_column(default=utcnow, comment="UTC")
