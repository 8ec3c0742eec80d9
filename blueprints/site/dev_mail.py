"""The development mail viewer: what the outbox delivered while no mail server is set
(core/dev_mail.py keeps it as files). In any other environment these pages do not exist."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, url_for

from core import dev_mail
from core.access import role_required
from core.emails import email_frame
from core.roles import Role

bp = Blueprint("dev_mail", __name__, url_prefix="/dev/mail")


@bp.before_request
def development_only():
    if current_app.config.get("ENV_NAME") != "development":
        abort(404)


def _folder() -> str:
    return current_app.config["MAIL_CAPTURE_DIR"]


@bp.get("")
@role_required(Role.ORGANISER)
def index():
    return render_template(
        "site/dev_mail.html",
        messages=dev_mail.listing(_folder()),
        capturing=dev_mail.capturing(current_app.config),
    )


@bp.get("/<name>")
@role_required(Role.ORGANISER)
def show(name: str):
    message = dev_mail.read(_folder(), name) or abort(404)
    return render_template(
        "site/dev_mail_message.html",
        message=message,
        html_url=url_for("dev_mail.html", name=name) if message.html else None,
    )


@bp.get("/<name>/html")
@role_required(Role.ORGANISER)
def html(name: str):
    message = dev_mail.read(_folder(), name) or abort(404)
    if message.html is None:
        abort(404)
    return email_frame(message.html)
