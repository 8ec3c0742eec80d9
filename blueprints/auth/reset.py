"""The "forgotten password" of any account (staff and partners): a one-time sealed link
by email (core.tokens), valid RESET_MINUTES, that sets a new password.

The request says the same whatever the address: an unknown, deactivated or misspelt one
gets the same page and no email, so the form tells nobody which addresses have accounts.
The routes limit requests per client address and per email address.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from blueprints.auth.models import User
from blueprints.auth.services import normalise_email
from core import audit
from core.db import utcnow
from core.outbox import enqueue
from core.tokens import find_by_token, new_token
from extensions import db

RESET_KIND = "password_reset"
RESET_MINUTES = 60


def request_reset(email: str, now: datetime | None = None) -> User | None:
    """A new link for the active account with this address (the previous one stops
    working), and its email queued; None, and nothing done, for any other address."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active:
        return None
    user.reset = new_token()
    user.reset_expires_at = (now or utcnow()) + timedelta(minutes=RESET_MINUTES)
    db.session.flush()
    enqueue(
        db.session,
        key=f"password-reset:{user.id}:{user.reset_hash[:16]}",
        kind=RESET_KIND,
        to_email=user.email,
        to_name=user.full_name,
        locale=user.locale,
        payload={"user_id": user.id},
        organisation_id=user.organisation_id,
    )
    audit.record("password.reset_asked", "user", user.id, organisation_id=user.organisation_id)
    return user


def account_for(token: str | None, now: datetime | None = None) -> User | None:
    """The active account this link is for, while it is unused and not expired."""
    user = find_by_token(User, token, name="reset")
    if user is None or not user.active or user.reset_expires_at is None:
        return None
    if (now or utcnow()) >= user.reset_expires_at:
        return None
    return user


def reset_password(user: User, password: str) -> None:
    """The new password; the link stops working and every session of the account ends."""
    user.set_password(password, current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))
    user.reset = None
    user.reset_expires_at = None
    audit.record("password.reset", "user", user.id, organisation_id=user.organisation_id)
    db.session.flush()
