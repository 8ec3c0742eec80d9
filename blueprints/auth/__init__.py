"""Staff accounts: sign-in, profile, staff management, `flask users`."""

from __future__ import annotations

from flask import Flask

from blueprints.auth import emails
from blueprints.auth.cli import cli
from blueprints.auth.models import User
from blueprints.auth.routes import bp
from blueprints.auth.services import load_user
from core import audit
from core.email_preview import register_samples
from core.outbox import register_builders
from extensions import login_manager


def init_app(app: Flask) -> None:
    """Everything this feature adds to the application, in one visible place."""
    app.register_blueprint(bp)
    audit.track(
        User, "user", ignore={"session_nonce", "last_login_at", "reset_hash", "reset_sealed"}
    )
    app.cli.add_command(cli)
    register_builders(emails.BUILDERS)
    register_samples(emails.SAMPLES, staff=True)
    login_manager.user_loader(load_user)
