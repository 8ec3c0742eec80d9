"""The meeting report: who came, what was raised and answered, what the survey said; and
the press release built from it; the name badges."""

from __future__ import annotations

from flask import Flask

from blueprints.reports import badge_jobs, badges_routes, press_routes
from blueprints.reports.routes import bp
from core.outbox_worker import register_background, register_periodic


def init_app(app: Flask) -> None:
    """Everything this feature adds to the application, in one visible place."""
    app.register_blueprint(bp)
    app.register_blueprint(press_routes.bp)
    app.register_blueprint(badges_routes.bp)
    register_background(badge_jobs.run_background_step)
    register_periodic(badge_jobs.forget_old_files)
