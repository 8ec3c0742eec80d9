"""`flask backup DIR`: a consistent copy of the database while Liqaa runs.

SQLite: the online backup API (pages copied under SQLite's own locking, so writers may
go on); PostgreSQL: `pg_dump --format=custom` (one snapshot). Restoring: see
docs/deploy.md.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from extensions import db


def backup(directory: Path, now: datetime | None = None) -> Path:
    """Write one backup file in `directory` and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        target = directory / f"liqaa-{stamp}.sqlite3"
        _sqlite(url.database, target)
    elif url.get_backend_name() == "postgresql":
        target = directory / f"liqaa-{stamp}.dump"
        _postgres(current_app.config["SQLALCHEMY_DATABASE_URI"], target)
    else:  # pragma: no cover - the two databases Liqaa supports
        raise click.ClickException(f"no backup for {url.get_backend_name()}")
    target.chmod(0o600)  # members' personal data
    return target


def _sqlite(source_path: str | None, target: Path) -> None:
    if not source_path or source_path == ":memory:":
        raise click.ClickException("the database is in memory: nothing to back up")
    source = sqlite3.connect(source_path)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy, pages=1024)  # lets writers in between steps
    finally:
        copy.close()
        source.close()


def _postgres(uri: str, target: Path) -> None:
    url = make_url(uri).set(drivername="postgresql")
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = url.password
    plain = url.set(password=None).render_as_string(hide_password=False)
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise click.ClickException("pg_dump is not installed (Debian: postgresql-client)")
    subprocess.run(  # noqa: S603 - pg_dump, arguments from the configuration
        [pg_dump, "--format=custom", "--no-owner", f"--file={target}", plain],
        check=True,
        env=env,
        capture_output=True,
    )


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_cli(directory: Path):
    """Write a consistent copy of the database into DIRECTORY (while Liqaa runs)."""
    click.echo(backup(directory))
