"""Pages every visitor has: the start page, the language switch, the health check."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_login import current_user

from core import health
from core.i18n import normalise_locale
from core.roles import Role
from core.urls import safe_next
from extensions import csrf, db

bp = Blueprint("site", __name__)


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if current_user.role == Role.PARTNER:
        return redirect(url_for("partners.inbox"))
    return redirect(url_for("dashboard.index"))


@bp.get("/lang/<code>")
def set_language(code: str):
    """Remember the chosen language for this session. A GET link changes nothing stored:
    the account's own language is set on its profile (a POST with a CSRF token)."""
    locale = normalise_locale(code)
    if locale:
        session["lang"] = locale
    target = safe_next(request.args.get("next")) or url_for("site.home")
    return redirect(target)


@bp.get("/favicon.ico")
def favicon():
    """For the clients that ask before reading the page's icon links (and for pages without
    them: JSON, files); the PNG, which every browser takes under this name."""
    return send_from_directory(current_app.static_folder, "favicon.png", max_age=86400)


@bp.get("/healthz")
@csrf.exempt
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.get("/readyz")
@csrf.exempt
def readyz():
    """For an administrator or a monitor: the database, Redis, and stuck email."""
    report = health.readiness(current_app.config)
    return jsonify(report), (200 if report["status"] == "ok" else 503)
