"""Who may do what: the login loader, role checks and organisation scoping.

Views never repeat access checks: they use `role_required` and the `*_or_404`
loaders below, which always filter by the current user's organisation, so
another organisation's id in a URL is simply "not found".
"""

from __future__ import annotations

from functools import wraps

import sqlalchemy as sa
from flask import abort, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.roles import Role
from extensions import db, login_manager


def init_app(app) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


def role_required(role: Role):
    """Signed in, active, and at least `role` in the user's organisation; else 401/403."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                if request.path.startswith("/api/"):
                    abort(401)
                return login_manager.unauthorized()
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        wrapper.required_role = role
        return wrapper

    return decorate


def partner_required(view):
    """Signed in with a partner account (and only that): the partner pages."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.role != Role.PARTNER:
            abort(403)
        return view(*args, **kwargs)

    wrapper.required_role = Role.PARTNER
    return wrapper


def public_rate_limit() -> str:
    """The limit on pages anyone may open (event page, RSVP, tickets, surveys, unsubscribe)."""
    return current_app.config["PUBLIC_RATE_LIMIT"]


def current_org_id() -> int:
    return current_user.organisation_id


def scoped_get_or_404(model, object_id: int):
    """Load `model` by id within the current organisation; another tenant's id is a 404."""
    obj = db.session.scalar(
        sa.select(model).where(model.id == object_id, model.organisation_id == current_org_id())
    )
    if obj is None:
        abort(404)
    return obj


def scoped_child_or_404(parent_model, parent_id: int, model, child_id: int, link="event_id"):
    """(parent, child): a parent of the current organisation (an event, say) and one of its
    children, found by their ids; a child of another parent or organisation is a 404."""
    parent = scoped_get_or_404(parent_model, parent_id)
    child = scoped_get_or_404(model, child_id)
    if getattr(child, link) != parent.id:
        abort(404)
    return parent, child
