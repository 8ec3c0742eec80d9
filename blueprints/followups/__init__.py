"""Follow-ups: every concern raised, until it has its answer."""

from __future__ import annotations

from flask import Flask

from blueprints.followups import emails, services
from blueprints.followups.routes import bp
from core.email_preview import register_samples
from core.outbox import register_builders
from core.signals import concern_raised


def init_app(app: Flask) -> None:
    """Everything this feature adds to the application, in one visible place."""
    app.register_blueprint(bp)
    register_builders(emails.BUILDERS)
    register_samples(emails.SAMPLES)
    concern_raised.connect(services.on_concern_raised)
