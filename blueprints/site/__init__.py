"""The public front: home page, health check, static helpers."""

from __future__ import annotations

from flask import Flask

from blueprints.site import dev_mail
from blueprints.site.routes import bp


def init_app(app: Flask) -> None:
    """Everything this feature adds to the application, in one visible place."""
    app.register_blueprint(bp)
    app.register_blueprint(dev_mail.bp)
