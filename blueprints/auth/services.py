"""Accounts: sign-in checks and staff management. No request objects here."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash

from blueprints.auth.models import User
from core import audit
from core.db import utcnow
from core.roles import Role
from extensions import db

# Compared against when the account does not exist, so that both paths cost the same.
_DUMMY_HASH = "scrypt:32768:8:1$0000000000000000$" + "0" * 128


class AccountError(Exception):
    """A domain error with a message for the user."""


class AccountInactive(AccountError):
    """The right password for an account that was deactivated: said plainly, since whoever
    knows the password is its owner."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (without saying which part
    failed); AccountInactive when the password is right but the account is deactivated."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        audit.record("signin.failed")  # no organisation: an unknown address
        return None
    if not user.check_password(password or ""):
        audit.record("signin.failed", "user", user.id, organisation_id=user.organisation_id)
        return None
    if not user.active:
        audit.record("signin.failed", "user", user.id, organisation_id=user.organisation_id)
        raise AccountInactive(
            _l("This account is deactivated. Ask your organisation's organisers to reactivate it.")
        )
    user.last_login_at = utcnow()
    audit.record("signin", "user", user.id, organisation_id=user.organisation_id, user_id=user.id)
    return user


def create_user(
    *,
    organisation_id: int,
    email: str,
    password: str,
    role: Role,
    full_name: str = "",
    locale: str = "ar",
) -> User:
    email = normalise_email(email)
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise AccountError(_l("An account with this email already exists."))
    user = User(
        organisation_id=organisation_id,
        email=email,
        role=Role(role),
        full_name=full_name,
        locale=locale,
    )
    user.set_password(password, _hash_method())
    db.session.add(user)
    db.session.flush()
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise AccountError(_l("The current password is not right."))
    user.set_password(new, _hash_method())


def update_staff(
    actor: User,
    user: User,
    *,
    full_name: str,
    email: str,
    role: Role,
    locale: str,
    active: bool,
    password: str | None,
) -> None:
    """An owner edits a staff account; the last active owner cannot demote or lock themselves."""
    email = normalise_email(email)
    clash = db.session.scalar(sa.select(User.id).where(User.email == email, User.id != user.id))
    if clash is not None:
        raise AccountError(_l("An account with this email already exists."))
    losing_owner = user.role == Role.OWNER and (Role(role) != Role.OWNER or not active)
    if losing_owner and _active_owner_count(user.organisation_id) <= 1:
        raise AccountError(_l("An organisation needs at least one active owner."))
    user.full_name, user.email, user.role, user.locale = full_name, email, Role(role), locale
    if user.active and not active:
        end_sessions(user)  # signs the account out everywhere
    user.active = active
    if password:
        user.set_password(password, _hash_method())


def _active_owner_count(organisation_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(User.id)).where(
            User.organisation_id == organisation_id, User.role == Role.OWNER, User.active
        )
    )


def staff_of(organisation_id: int) -> list[User]:
    """The staff accounts (partner accounts are listed with their partner)."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.organisation_id == organisation_id, User.role != Role.PARTNER)
            .order_by(User.email)
        )
    )


def _hash_method() -> str:
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")


def end_sessions(user: User) -> None:
    """Every session and remember-me cookie of this account stops working (they carry the
    old nonce): signing out ends the copies of the cookies too."""
    user.session_nonce = secrets.token_hex(8)
    db.session.flush()


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the session holds "<id>:<nonce>"; a new password changes the nonce."""
    raw_id, _, nonce = user_id.partition(":")
    if not raw_id.isdigit():
        return None
    user = db.session.get(User, int(raw_id))
    if user is None or user.session_nonce != nonce:
        return None  # the password changed since this session began
    return user
