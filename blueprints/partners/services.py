"""Partner accounts: an organiser invites a person of a partner body by email; the sealed
one-time link (core.tokens) lets them set a password, once, before it expires.

Plain values in, domain errors out; services only flush.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from blueprints.auth.models import User
from blueprints.auth.services import AccountError, end_sessions, normalise_email
from blueprints.orgs.models import Partner
from core.db import utcnow
from core.i18n import person_language
from core.outbox import enqueue
from core.roles import Role
from core.tokens import find_by_token, new_token
from extensions import db

INVITE_KIND = "partner_invite"
INVITE_DAYS = 7


def invite(
    *,
    organisation_id: int,
    partner_id: int,
    email: str,
    full_name: str,
    locale: str,
    departments: str = "",
    invited_by: str = "",
    now: datetime | None = None,
) -> User:
    """A partner account waiting for its password, and the email with its link.

    Inviting the same person again (an invitation lost, or expired) gives a new link."""
    now = now or utcnow()
    partner = db.session.scalar(
        sa.select(Partner).where(
            Partner.id == partner_id, Partner.organisation_id == organisation_id
        )
    )
    if partner is None:
        raise AccountError(_l("Choose a partner of your organisation."))
    email = normalise_email(email)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is not None and not (user.role == Role.PARTNER and user.partner_id == partner.id):
        raise AccountError(_l("An account with this email already exists."))
    if user is None:
        user = User(organisation_id=organisation_id, email=email, role=Role.PARTNER)
        user.set_password(secrets.token_urlsafe(32), _hash_method())  # unknown to anyone
        db.session.add(user)
    user.partner_id = partner.id
    user.full_name = (full_name or "").strip()[:120]
    user.locale = person_language(locale)
    user.partner_departments = "\n".join(
        d.strip()[:120] for d in (departments or "").splitlines() if d.strip()
    )
    user.invite = new_token()
    user.invite_expires_at = now + timedelta(days=INVITE_DAYS)
    db.session.flush()
    enqueue(
        db.session,
        key=f"partner-invite:{user.id}:{user.invite_hash[:16]}",
        kind=INVITE_KIND,
        to_email=user.email,
        to_name=user.full_name,
        locale=user.locale,
        payload={"user_id": user.id, "invited_by": (invited_by or "")[:120]},
        organisation_id=organisation_id,
    )
    return user


def pending_invite(token: str | None, now: datetime | None = None) -> User | None:
    """The account this invitation link is for, while it is unused and not expired."""
    user = find_by_token(User, token, name="invite")
    if user is None or user.role != Role.PARTNER or user.invite_expires_at is None:
        return None
    if (now or utcnow()) >= user.invite_expires_at:
        return None
    return user


def accept(user: User, password: str) -> None:
    """The password is set; the link stops working."""
    user.set_password(password, _hash_method())
    user.invite = None
    user.invite_expires_at = None
    user.active = True
    db.session.flush()


def account_of(organisation_id: int, partner_id: int, user_id: int) -> User | None:
    """A partner account of this partner in this organisation, else None (a 404)."""
    return db.session.scalar(
        sa.select(User).where(
            User.id == user_id,
            User.organisation_id == organisation_id,
            User.partner_id == partner_id,
            User.role == Role.PARTNER,
        )
    )


def set_active(user: User, active: bool) -> None:
    """Deactivating ends every session of the account at once and voids its pending
    invitation and password link; it can no longer sign in. Reactivating lets it sign in
    again with its password (or a new invitation)."""
    if user.active and not active:
        end_sessions(user)
        user.invite, user.invite_expires_at = None, None
        user.reset, user.reset_expires_at = None, None
    user.active = active
    db.session.flush()


def accounts_of(organisation_id: int, partner_id: int) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.organisation_id == organisation_id,
                User.partner_id == partner_id,
                User.role == Role.PARTNER,
            )
            .order_by(User.email)
        )
    )


def _hash_method() -> str:
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
