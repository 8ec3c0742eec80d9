"""Staff accounts and their role in their organisation."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from core.db import Base, OrgScopedMixin, TimestampMixin, str_enum
from core.roles import Role
from core.tokens import sealed_token

if TYPE_CHECKING:
    from blueprints.orgs.models import Organisation, Partner


class User(UserMixin, OrgScopedMixin, TimestampMixin, Base):
    """A staff account. One account belongs to one organisation with one role."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True, comment="lower-cased")
    full_name: Mapped[str] = mapped_column(sa.String(120), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), default=Role.ORGANISER)
    locale: Mapped[str] = mapped_column(sa.String(5), default="ar")
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column()
    # Changing the password rotates this, which logs out every other session.
    session_nonce: Mapped[str] = mapped_column(sa.String(32), default="")
    # A partner account (role partner) belongs to one partner body of the organisation and,
    # if set, sees only the follow-ups routed to these departments (one per line).
    partner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("partner.id", ondelete="CASCADE"), index=True
    )
    partner_departments: Mapped[str] = mapped_column(sa.Text, default="")
    # The one-time link of an invitation to set a password (see core.tokens); None once used.
    invite_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    invite_sealed: Mapped[str | None] = mapped_column(sa.String(200))
    invite_expires_at: Mapped[datetime | None] = mapped_column()
    # The one-time link of a "forgotten password" email; None once used or replaced.
    reset_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    reset_sealed: Mapped[str | None] = mapped_column(sa.String(200))
    reset_expires_at: Mapped[datetime | None] = mapped_column()

    organisation: Mapped[Organisation] = relationship()
    partner: Mapped[Partner | None] = relationship()
    invite = sealed_token("invite")
    reset = sealed_token("reset")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}"

    def set_password(self, password: str, method: str = "scrypt") -> None:
        """Hash with `method` (the PASSWORD_HASH_METHOD setting, which services pass in)."""
        self.password_hash = generate_password_hash(password, method=method)
        self.session_nonce = secrets.token_hex(8)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def has_role(self, role: Role) -> bool:
        return self.role.level >= role.level

    @property
    def is_partner(self) -> bool:
        return self.role == Role.PARTNER

    @property
    def departments(self) -> list[str]:
        return [d.strip() for d in (self.partner_departments or "").splitlines() if d.strip()]

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
