"""A member's data stays theirs: the audit log page, erasure, the member's own page,
retention and the processing register."""

from __future__ import annotations

from flask import Flask

# public adds its routes to bp; audit_labels names the audit log's codes
from blueprints.privacy import audit_labels, emails, public  # noqa: F401
from blueprints.privacy.cli import cli
from blueprints.privacy.routes import bp
from core.email_preview import register_samples
from core.outbox import register_builders


def init_app(app: Flask) -> None:
    """Everything this feature adds to the application, in one visible place."""
    app.register_blueprint(bp)
    app.cli.add_command(cli)
    register_builders(emails.BUILDERS)
    register_samples(emails.SAMPLES)
