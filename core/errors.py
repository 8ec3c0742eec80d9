"""Error pages in the user's language, JSON errors for the API."""

from __future__ import annotations

import contextlib

import sqlalchemy.exc as sa_exc
from flask import current_app, g, jsonify, make_response, render_template, request, session
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from core import i18n
from extensions import db


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Please try again.")),
        401: (_("Please sign in"), _("You need to sign in to see this page.")),
        403: (_("Not allowed"), _("Your account is not allowed to open this page.")),
        404: (_("Page not found"), _("This page does not exist, or it is not yours to see.")),
        405: (_("Not allowed"), _("This action is not possible here.")),
        413: (_("File too large"), _("The file you sent is too large.")),
        429: (_("Too many attempts"), _("Please wait a minute before trying again.")),
        500: (_("Something went wrong"), _("The error was logged. Please try again later.")),
    }


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error):
        message = _("The form expired or was sent from another page. Please try again.")
        return _render(400, message)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        body, code = _render(error.code or 500)
        response = make_response(body, code)
        for name, value in error.get_headers():  # Allow on a 405, Retry-After on a 429…
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(500)
    def _unexpected(error):
        return _render(500)

    # A value no database column holds (?page=99999999999999999999, a NUL byte): nothing
    # can match it, and it is the request's fault, not the server's.
    app.register_error_handler(OverflowError, _unholdable)
    app.register_error_handler(sa_exc.DataError, _unholdable)

    @app.errorhandler(sa_exc.StatementError)
    def _statement(error):
        db.session.rollback()
        if isinstance(error.orig, ValueError) or "NUL (0x00)" in str(error.orig):
            return _unholdable(error)  # a NUL byte, say
        if isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError):
            return _unavailable()
        current_app.logger.error("database error", exc_info=error)  # a bug: logged, 500
        return _render(500)

    @app.errorhandler(sa_exc.DisconnectionError)
    def _gone(error):
        return _unavailable()


def _unholdable(error):
    db.session.rollback()
    return _render(404 if request.method == "GET" else 400)


def _unavailable():
    """The database is unreachable: 503 with Retry-After, from a page that needs no database
    (no signed-in user, no menus); Liqaa recovers by itself when it is back."""
    with contextlib.suppress(sa_exc.SQLAlchemyError):
        db.session.rollback()
    # The language without asking the account (that needs the database).
    g.forced_locale = (
        i18n.normalise_locale(request.args.get("lang"))
        or i18n.normalise_locale(session.get("lang"))
        or request.accept_languages.best_match(i18n.supported())
        or current_app.config["BABEL_DEFAULT_LOCALE"]
    )
    title = _("Back in a moment")
    text = _("Liqaa cannot reach its database right now. Please try again in a minute.")
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        response = make_response(jsonify(error=title, detail=text, status=503), 503)
    else:
        page = render_template(
            "errors/unavailable.html",
            title=title,
            text=text,
            lang=g.forced_locale,
            dir=i18n.text_direction(g.forced_locale),
        )
        response = make_response(page, 503)
    response.headers["Retry-After"] = "30"
    return response


def _render(code: int, detail: str | None = None):
    title, text = _messages().get(code, (_("Error"), ""))
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return jsonify(error=title, detail=detail or text, status=code), code
    return render_template("errors/error.html", code=code, title=title, text=detail or text), code
