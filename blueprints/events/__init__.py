"""Events, their programme and public page."""

from __future__ import annotations

from flask import Flask

from blueprints.events.models import Event
from blueprints.events.routes import bp
from core import audit


def init_app(app: Flask) -> None:
    """Everything this feature adds to the application, in one visible place."""
    app.register_blueprint(bp)
    audit.track(Event, "event")
