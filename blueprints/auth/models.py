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

if TYPE_CHECKING:
    from blueprints.orgs.models import Organisation


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

    organisation: Mapped[Organisation] = relationship()

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

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
