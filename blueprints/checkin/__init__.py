"""The door: scanning, search, walk-ins, arrivals and the check-in API."""

from __future__ import annotations

from flask import Flask

from blueprints.checkin.routes import bp


def init_app(app: Flask) -> None:
    """Everything this feature adds to the application, in one visible place."""
    app.register_blueprint(bp)
