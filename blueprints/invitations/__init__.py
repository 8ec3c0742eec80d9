"""Invitations, reminders, change notices and their delivery."""

from __future__ import annotations

from flask import Flask

from blueprints.invitations import emails, jobs, listeners, reminders
from blueprints.invitations.routes import bp
from core.email_preview import register_samples
from core.outbox import register_builders
from core.outbox_worker import register_background, register_periodic
from core.signals import event_cancelled, event_changed


def init_app(app: Flask) -> None:
    """Everything this feature adds to the application, in one visible place."""
    app.register_blueprint(bp)
    register_builders(emails.BUILDERS)
    register_samples(emails.SAMPLES)
    register_periodic(reminders.run_due_reminders)
    register_background(jobs.run_background_step)
    event_changed.connect(listeners.on_event_changed)
    event_cancelled.connect(listeners.on_event_cancelled)
