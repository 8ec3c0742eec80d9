"""Feedback surveys after the event, their schedule and results, `flask surveys`."""

from __future__ import annotations

from flask import Flask

from blueprints.surveys import emails, schedule
from blueprints.surveys.cli import cli
from blueprints.surveys.routes import bp
from core.email_preview import register_samples
from core.outbox import register_builders
from core.outbox_worker import register_periodic


def init_app(app: Flask) -> None:
    """Everything this feature adds to the application, in one visible place."""
    app.register_blueprint(bp)
    app.cli.add_command(cli)
    register_builders(emails.BUILDERS)
    register_samples(emails.SAMPLES)
    register_periodic(schedule.tick)
