"""The member directory, its import and export, `flask members`."""

from __future__ import annotations

from flask import Flask

from blueprints.members import filters
from blueprints.members.cli import cli
from blueprints.members.models import Member
from blueprints.members.routes import bp
from core import audit


def init_app(app: Flask) -> None:
    """Everything this feature adds to the application, in one visible place."""
    app.register_blueprint(bp)
    audit.track(Member, "member")
    app.cli.add_command(cli)
    filters.listen()
