"""The configuration check: what would make a production server unsafe or broken.

`create_app` refuses to start in production with one line per problem; `flask check`
prints the same report and the settings it read, with secrets hidden.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import with_appcontext

from core import dkim_signing

MIN_SECRET_LENGTH = 32
SHOWN = ("ENV_NAME", "BASE_URL", "SQLALCHEMY_DATABASE_URI", "MAIL_SERVER", "MAIL_PORT",
         "MAIL_USE_TLS", "MAIL_USE_SSL", "MAIL_DEFAULT_SENDER", "REDIS_URL", "TRUSTED_PROXIES",
         "SESSION_COOKIE_SECURE", "OUTBOX_IN_PROCESS_WORKER", "RATELIMIT_ENABLED",
         "DKIM_KEY_FILE", "DKIM_SELECTOR", "DKIM_DOMAIN",
         "SECRET_KEY", "MAIL_PASSWORD")  # fmt: skip
SECRET = ("SECRET_KEY", "MAIL_PASSWORD")


def problems(config, instance_path: str = "") -> list[str]:
    """Each problem in one line that says what to do; none when the setup is safe."""
    found = []
    secret = config.get("SECRET_KEY") or ""
    if len(secret) < MIN_SECRET_LENGTH:
        found.append(
            f"SECRET_KEY is missing or shorter than {MIN_SECRET_LENGTH} characters: set it "
            "(or SECRET_KEY_FILE) to a long random value, e.g. `openssl rand -hex 32`."
        )
    base = urlsplit(config.get("BASE_URL") or "")
    if config.get("SESSION_COOKIE_SECURE") and base.scheme != "https":
        found.append(
            "BASE_URL is not https while cookies are Secure: links in emails and QR codes "
            "would not work; set BASE_URL=https://your-domain (or COOKIE_SECURE=0 on a "
            "closed network without TLS)."
        )
    sender = (config.get("MAIL_DEFAULT_SENDER") or "").rpartition("@")[2].lower()
    if sender in ("", "localhost", "localhost.localdomain") or sender.startswith("127."):
        found.append(
            "MAIL_DEFAULT_SENDER is a localhost address: mail servers refuse it; set the "
            "association's address, e.g. liqaa@association.ma."
        )
    dkim_problem = dkim_signing.problem(config)
    if dkim_problem:
        found.append(dkim_problem)
    uri = config.get("SQLALCHEMY_DATABASE_URI") or ""
    path = uri.removeprefix("sqlite:///") if uri.startswith("sqlite:///") else ""
    if path and path != ":memory:":  # a database file (not one in memory)
        folder = Path(path).parent
        if not folder.is_dir() or not os.access(folder, os.W_OK):
            found.append(
                f"The SQLite database's folder {folder} is missing or not writable by this user: "
                "give it to the service's user, or set DATABASE_URL to PostgreSQL."
            )
    return found


def report(config, instance_path: str) -> str:
    lines = []
    for name in SHOWN:
        value = config.get(name)
        if name in SECRET:
            value = f"set ({len(value)} characters)" if value else "not set"
        elif name == "SQLALCHEMY_DATABASE_URI" and value and "@" in value:
            scheme, _, rest = value.partition("://")
            value = f"{scheme}://…@{rest.rpartition('@')[2]}"  # no password
        lines.append(f"{name:<26} {value}")
    found = problems(config, instance_path)
    lines.append("")
    lines += [f"PROBLEM: {p}" for p in found] or ["No problem found."]
    return "\n".join(lines)


@click.command("check")
@with_appcontext
def check_cli():
    """Print the settings Liqaa runs with and what is wrong with them."""
    click.echo(report(current_app.config, current_app.instance_path))
    if problems(current_app.config, current_app.instance_path):
        raise SystemExit(1)
