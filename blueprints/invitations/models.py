"""One invitation per member per event, each with its own secret link."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, OrgScopedMixin, TimestampMixin
from core.tokens import new_token

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
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_token)
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    responded_at: Mapped[datetime | None] = mapped_column(comment="last RSVP answer")
    last_reminded_at: Mapped[datetime | None] = mapped_column()
    shared_by_hand_at: Mapped[datetime | None] = mapped_column(comment="WhatsApp or paper")

    event: Mapped[Event] = relationship()
    member: Mapped[Member] = relationship()
