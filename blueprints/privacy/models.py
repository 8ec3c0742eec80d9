"""The one-time links that open a member's own page (/my-data)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blueprints.members.models import Member
from core.db import Base, OrgScopedMixin, utcnow
from core.tokens import new_token, sealed_token


class MyDataLink(OrgScopedMixin, Base):
    """A link emailed to a member (or handed over by an organiser): valid once, 24 hours."""

    __tablename__ = "my_data_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("member.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, comment="sha256 hex")
    token_sealed: Mapped[str] = mapped_column(sa.String(200), comment="see core.tokens")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, comment="UTC")
    expires_at: Mapped[datetime] = mapped_column(comment="UTC")
    used_at: Mapped[datetime | None] = mapped_column(comment="UTC: opened (once)")

    member: Mapped[Member] = relationship()

    token = sealed_token("token")

    def __init__(self, **fields) -> None:
        fields.setdefault("token", new_token())
        super().__init__(**fields)
