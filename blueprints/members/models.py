"""The organisation's directory of member entrepreneurs, officials and guests."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, OrgScopedMixin, TimestampMixin, postgres_only_index, str_enum


class MemberCategory(enum.StrEnum):
    MEMBER = "member"
    OFFICIAL = "official"
    PARTNER = "partner"
    PRESS = "press"
    GUEST = "guest"


class Member(OrgScopedMixin, TimestampMixin, Base):
    __tablename__ = "member"
    __table_args__ = (
        # one phone per member of an organisation (a member may have none)
        sa.Index(
            "uq_member_org_phone",
            "organisation_id",
            "phone",
            unique=True,
            sqlite_where=sa.text("phone IS NOT NULL"),
            postgresql_where=sa.text("phone IS NOT NULL"),
        ),
        sa.Index("ix_member_org_email", "organisation_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(sa.String(200), comment="any script")
    company: Mapped[str] = mapped_column(sa.String(200), default="")
    trade: Mapped[str] = mapped_column(sa.String(60), default="", index=True)
    city: Mapped[str] = mapped_column(sa.String(100), default="")
    email: Mapped[str | None] = mapped_column(sa.String(254), comment="lower-cased")
    phone: Mapped[str | None] = mapped_column(sa.String(20), comment="E.164")
    locale: Mapped[str] = mapped_column(sa.String(5), default="ar")
    category: Mapped[MemberCategory] = mapped_column(
        str_enum(MemberCategory, "member_category"), default=MemberCategory.MEMBER, index=True
    )
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    ice: Mapped[str | None] = mapped_column(sa.String(15), comment="Moroccan company id")
    cnss_number: Mapped[str | None] = mapped_column(sa.String(20))
    consent_at: Mapped[datetime | None] = mapped_column(comment="law 09-08: when consent given")
    consent_source: Mapped[str] = mapped_column(sa.String(120), default="")
    unsubscribed_at: Mapped[datetime | None] = mapped_column()
    archived_at: Mapped[datetime | None] = mapped_column(index=True)
    erasure_requested_at: Mapped[datetime | None] = mapped_column(comment="asked on /my-data")
    erased_at: Mapped[datetime | None] = mapped_column(comment="personal fields replaced")
    # Lower-cased, accent-free name, company, email and phone: what the search box matches.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")

    # Loaded when read (one member: the RSVP page, the form); a list of members asks for
    # them with selectinload (members page, export, import), one statement per list.
    tags: Mapped[list[MemberTag]] = relationship(
        cascade="all, delete-orphan", order_by="MemberTag.tag"
    )

    @property
    def tag_names(self) -> list[str]:
        return [t.tag for t in self.tags]


# Substring search (LIKE '%term%') on PostgreSQL reads this trigram index instead of every
# member of the organisation; search_text is already folded (core.text.fold), so accents
# and Arabic letter variants meet in it. Migration 0013 creates it; SQLite scans.
SEARCH_INDEX = "ix_member_search_text_trgm"
postgres_only_index(
    Member.__table__,
    SEARCH_INDEX,
    "CREATE EXTENSION IF NOT EXISTS pg_trgm;"
    f" CREATE INDEX {SEARCH_INDEX} ON member USING gin (search_text gin_trgm_ops)",
)


class MemberTag(Base):
    __tablename__ = "member_tag"

    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("member.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(sa.String(40), primary_key=True, index=True)


class MemberImport(OrgScopedMixin, TimestampMixin, Base):
    """An uploaded member list waiting for the organiser's confirmation.

    The file is kept in the database (not on the web server's disk) so that the
    preview and the confirmation may be served by different web workers.
    """

    __tablename__ = "member_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    data: Mapped[bytes | None] = mapped_column(sa.LargeBinary, comment="dropped once confirmed")
    # {"column index as str": "field name"}; unmapped columns are ignored
    mapping: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    update_existing: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    confirmed_at: Mapped[datetime | None] = mapped_column()
    # counts once confirmed: {"created": n, "updated": n, "skipped": n, "invalid": n}
    summary: Mapped[dict] = mapped_column(sa.JSON, default=dict)
