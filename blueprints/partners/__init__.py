"""Partner accounts: a person of a partner body answers the follow-ups routed to it."""

from __future__ import annotations

from flask import Flask

from blueprints.partners import emails
from blueprints.partners.cli import cli
from blueprints.partners.routes import bp
from core.email_preview import register_samples
from core.outbox import register_builders


def init_app(app: Flask) -> None:
    """Everything this feature adds to the application, in one visible place."""
    app.register_blueprint(bp)
    register_builders(emails.BUILDERS)
    register_samples(emails.SAMPLES, staff=True)
    app.cli.add_command(cli)
