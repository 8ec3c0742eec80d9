"""Feedback surveys: the questions, who was asked, and what was answered.

Anonymity lives in the schema. `SurveyInvite` records who was asked and whether they
answered; `SurveyResponse` records what was answered. In anonymous mode no column,
foreign key, timestamp, id or row order links the two, even with the secret key: a
response's id is random, it keeps only the day it was given, it holds nothing derived
from the link, and on SQLite the table has no rowid (rows lie in the order of their
random ids). One answer per link is kept on the invite side (`responded`, set by one
conditional UPDATE in the transaction that inserts the response).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, OrgScopedMixin, TimestampMixin, str_enum
from core.tokens import new_token, sealed_token

if TYPE_CHECKING:
    from blueprints.events.models import Event
    from blueprints.rsvp.models import Registration


class SurveyStatus(enum.StrEnum):
    DRAFT = "draft"  # being prepared: nothing is sent
    OPEN = "open"  # invitations go out on schedule; answers accepted
    CLOSED = "closed"  # no more answers; queued invitations are cancelled


class QuestionKind(enum.StrEnum):
    RATING = "rating"  # 1-5 stars
    SCALE = "scale"  # 0-10 (NPS)
    SINGLE = "single"
    MULTIPLE = "multiple"
    YES_NO = "yes_no"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"


CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
TEXT_KINDS = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)
NUMBER_KINDS = (QuestionKind.RATING, QuestionKind.SCALE)


class Survey(OrgScopedMixin, TimestampMixin, Base):
    __tablename__ = "survey"
    __table_args__ = (
        sa.CheckConstraint("delay_hours >= 0 AND delay_hours <= 720", name="delay_range"),
        sa.CheckConstraint("reminder_days >= 0 AND reminder_days <= 60", name="reminder_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event.id", ondelete="CASCADE"), unique=True, comment="one per event"
    )
    status: Mapped[SurveyStatus] = mapped_column(
        str_enum(SurveyStatus, "survey_status"), default=SurveyStatus.DRAFT
    )
    anonymous: Mapped[bool] = mapped_column(default=True, comment="who answered kept apart")
    delay_hours: Mapped[int] = mapped_column(default=2, comment="sent this long after the end")
    reminder_days: Mapped[int] = mapped_column(default=3, comment="0: no reminder")
    title_ar: Mapped[str] = mapped_column(sa.String(200), default="")
    title_fr: Mapped[str] = mapped_column(sa.String(200), default="")
    intro_ar: Mapped[str] = mapped_column(sa.Text, default="")
    intro_fr: Mapped[str] = mapped_column(sa.Text, default="")
    send_now_at: Mapped[datetime | None] = mapped_column(comment="the organiser sent it early")
    opened_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()

    event: Mapped[Event] = relationship()
    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey",
        order_by="(SurveyQuestion.position, SurveyQuestion.id)",
        cascade="all, delete-orphan",
    )


class SurveyQuestion(OrgScopedMixin, Base):
    __tablename__ = "survey_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind, "survey_question_kind"))
    label_ar: Mapped[str] = mapped_column(sa.String(500), default="")
    label_fr: Mapped[str] = mapped_column(sa.String(500), default="")
    # Choices for single/multiple, one per line, the same number of lines in each language.
    choices_ar: Mapped[str] = mapped_column(sa.Text, default="")
    choices_fr: Mapped[str] = mapped_column(sa.Text, default="")
    required: Mapped[bool] = mapped_column(default=False)
    is_concern: Mapped[bool] = mapped_column(default=False, comment="answers become follow-ups")

    survey: Mapped[Survey] = relationship(back_populates="questions")

    def choices(self, locale: str) -> list[str]:
        ar = [c.strip() for c in self.choices_ar.splitlines() if c.strip()]
        fr = [c.strip() for c in self.choices_fr.splitlines() if c.strip()]
        primary, other = (ar, fr) if locale == "ar" else (fr, ar)
        count = max(len(ar), len(fr))
        return [
            (primary[i] if i < len(primary) else other[i] if i < len(other) else "")
            for i in range(count)
        ]


class SurveyInvite(OrgScopedMixin, Base):
    """Who was asked (an attendee or a companion with an email) and whether they answered.

    No timestamp records when they answered: `responded` is a bare flag.
    """

    __tablename__ = "survey_invite"
    __table_args__ = (sa.UniqueConstraint("survey_id", "person_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey.id", ondelete="CASCADE"), index=True
    )
    person_key: Mapped[str] = mapped_column(sa.String(40), comment="r:<registration> c:<companion>")
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    companion_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("companion.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(sa.String(254))
    full_name: Mapped[str] = mapped_column(sa.String(200), default="")
    locale: Mapped[str] = mapped_column(sa.String(5), default="ar")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, comment="sha256 hex")
    token_sealed: Mapped[str] = mapped_column(sa.String(200), comment="see core.tokens")
    send_at: Mapped[datetime] = mapped_column(comment="UTC: when the invitation is due")
    responded: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(comment="UTC")

    survey: Mapped[Survey] = relationship()
    registration: Mapped[Registration] = relationship()

    token = sealed_token("token")

    def __init__(self, **fields) -> None:
        fields.setdefault("token", new_token())
        super().__init__(**fields)


def _response_id() -> str:
    return new_token(16)  # random: says nothing about the order of answers


class SurveyResponse(OrgScopedMixin, Base):
    """What one person answered. Anonymous unless the survey is identified."""

    __tablename__ = "survey_response"
    # No rowid on SQLite: a rowid would keep the order in which answers came.
    __table_args__ = ({"sqlite_with_rowid": False},)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=_response_id)
    survey_id: Mapped[int] = mapped_column(
        sa.ForeignKey("survey.id", ondelete="CASCADE"), index=True
    )
    answered_on: Mapped[date] = mapped_column(sa.Date, comment="the day only, never the time")
    # {"<question id>": int, bool, str or list[int]}; choices are kept as their index.
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Identified surveys only; always NULL in anonymous mode.
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    companion_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("companion.id", ondelete="SET NULL")
    )
