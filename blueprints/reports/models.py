"""The press release of an event, one text per language, kept with the event."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, OrgScopedMixin, TimestampMixin

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
