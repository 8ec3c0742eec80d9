"""Error pages in the user's language, JSON errors for the API."""

from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


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
        return _render(error.code or 500)

    @app.errorhandler(500)
    def _unexpected(error):
        return _render(500)


def _render(code: int, detail: str | None = None):
    title, text = _messages().get(code, (_("Error"), ""))
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return jsonify(error=title, detail=detail or text, status=code), code
    return render_template("errors/error.html", code=code, title=title, text=detail or text), code
