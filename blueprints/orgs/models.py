"""Organisations (tenants) and the partners they co-host events with."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, OrgScopedMixin, TimestampMixin, str_enum


class Organisation(TimestampMixin, Base):
    """A tenant: it owns its members, events and everything below them."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(40), unique=True, comment="used in CLI commands")
    name_ar: Mapped[str] = mapped_column(sa.String(200), default="")
    name_fr: Mapped[str] = mapped_column(sa.String(200), default="")
    name_en: Mapped[str] = mapped_column(sa.String(200), default="")
    sender_name: Mapped[str] = mapped_column(sa.String(120), default="", comment="email From name")
    reply_to: Mapped[str | None] = mapped_column(sa.String(254), comment="organiser's address")
    consent_text_ar: Mapped[str] = mapped_column(sa.Text, default="", comment="law 09-08 wording")
    consent_text_fr: Mapped[str] = mapped_column(sa.Text, default="")
    consent_text_en: Mapped[str] = mapped_column(sa.Text, default="")
    retention_months: Mapped[int] = mapped_column(
        default=24, comment="personal data of an event is anonymised this long after it"
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class PartnerKind(enum.StrEnum):
    PUBLIC_BODY = "public_body"
    ASSOCIATION = "association"
    COMPANY = "company"


class Partner(OrgScopedMixin, TimestampMixin, Base):
    """A body an organisation co-hosts events with (e.g. the social-security agency)."""

    __tablename__ = "partner"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "name_fr"),
        sa.CheckConstraint("digest_days BETWEEN 1 AND 90", name="digest_days"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name_ar: Mapped[str] = mapped_column(sa.String(200), default="")
    name_fr: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200), default="")
    kind: Mapped[PartnerKind] = mapped_column(
        str_enum(PartnerKind, "partner_kind"), default=PartnerKind.PUBLIC_BODY
    )
    digest_days: Mapped[int] = mapped_column(
        default=7,
        server_default="7",
        comment="the weekly digest lists the open follow-ups older than this many days",
    )
