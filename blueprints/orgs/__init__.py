"""Organisations, their settings and partners, `flask orgs`."""

from __future__ import annotations

from flask import Flask

from blueprints.orgs.cli import cli
from blueprints.orgs.routes import bp


def init_app(app: Flask) -> None:
    """Everything this feature adds to the application, in one visible place."""
    app.register_blueprint(bp)
    app.cli.add_command(cli)
