"""The application factory: configuration, extensions, blueprints, CLI. Nothing else."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from blueprints import (
    auth,
    checkin,
    dashboard,
    events,
    followups,
    invitations,
    members,
    orgs,
    partners,
    privacy,
    reports,
    rsvp,
    site,
    surveys,
)
from config import Config, config_for
from core import (
    access,
    audit,  # noqa: F401 - its model belongs to the schema
    backup,
    checks,
    errors,
    i18n,
    logs,
    security,
    static,
    templating,
    urls,
)
from core.db import enable_sqlite_pragmas, include_object
from core.mail_domain import cli as mail_cli
from core.outbox_cli import cli as outbox_cli
from core.outbox_worker import start_in_process_worker
from demo.cli import cli as demo_cli
from extensions import babel, csrf, db, limiter, login_manager, mail, migrate

ROOT = Path(__file__).resolve().parent

# The features, lowest layer first; each one's init_app registers its blueprint, commands,
# signal listeners and email builders.
FEATURES = (
    site,
    auth,
    orgs,
    events,
    members,
    invitations,
    rsvp,
    checkin,
    surveys,
    followups,
    partners,
    reports,
    dashboard,
    privacy,
)


def create_app(config: type[Config] | dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(ROOT / "instance"))
    # Ids in URLs fit the database's integer columns; a larger one is a 404 at routing.
    app.url_map.converters["int"] = DatabaseId
    _configure(app, config)
    proxies = app.config.get("TRUSTED_PROXIES") or 0
    if proxies > 0:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )

    db.init_app(app)
    with app.app_context():
        enable_sqlite_pragmas(db.engine)
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        include_object=include_object,
    )
    mail.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        timezone_selector=i18n.select_timezone,
        default_translation_directories=";".join(i18n.translation_directories(str(ROOT))),
    )
    limiter.init_app(app)

    logs.init_app(app)
    static.init_app(app)
    access.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    urls.init_app(app)
    errors.init_app(app)

    for feature in FEATURES:
        feature.init_app(app)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(checks.check_cli)
    app.cli.add_command(backup.backup_cli)
    app.cli.add_command(demo_cli)
    if app.config.get("OUTBOX_IN_PROCESS_WORKER") and not app.testing:
        # Started by the first request, so that CLI commands (db upgrade, demo) run none.
        app.before_request(lambda: start_in_process_worker(app) and None)
    return app


class DatabaseId(IntegerConverter):
    """`<int:…>` in routes: 0 to 2**31 - 1, the range of an integer column."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _configure(app: Flask, config: type[Config] | dict | None) -> None:
    if isinstance(config, dict):
        app.config.from_object(config_for(config.get("ENV_NAME")))
        app.config.update(config)
    else:
        app.config.from_object(config or config_for(os.environ.get("LIQAA_ENV")))

    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        db_path = Path(app.instance_path) / "liqaa.db"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):  # the old scheme some hosts still hand out
        uri = "postgresql://" + uri[len("postgres://") :]
    if uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri[len("postgresql://") :]
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 10}}

    if not app.config.get("MAIL_CAPTURE_DIR"):
        app.config["MAIL_CAPTURE_DIR"] = str(Path(app.instance_path) / "mail")

    if not app.config.get("SECRET_KEY"):
        if app.config["ENV_NAME"] != "development":
            raise RuntimeError(
                "SECRET_KEY is not set. Set it in the environment (for example "
                '`export SECRET_KEY="$(python -c "import secrets; print(secrets.token_hex(32))")"`)'
                " or run with LIQAA_ENV=development for a local trial."
            )
        app.config["SECRET_KEY"] = _development_secret_key(Path(app.instance_path))
    if app.config["ENV_NAME"] == "production" and not os.environ.get("LIQAA_SKIP_CHECK"):
        found = checks.problems(app.config, app.instance_path)
        if found:
            raise RuntimeError(
                "Liqaa will not start with this configuration:\n"
                + "\n".join(f"- {p}" for p in found)
                + "\n(`LIQAA_SKIP_CHECK=1 flask check` shows every setting.)"
            )


def _development_secret_key(instance: Path) -> str:
    """A random key kept in instance/secret_key, made on the first run."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
