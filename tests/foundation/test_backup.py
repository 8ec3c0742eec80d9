"""`flask backup` while people keep writing: the copy restores, whole and consistent."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from blueprints.checkin import admission
from blueprints.members.models import Member, MemberTag
from core.db import utcnow
from core.roles import Role
from extensions import db
from tests.checkin.conftest import make_registration
from tests.conftest import is_postgres, make_event, make_user


def _writer(app, stop: threading.Event, written: list[int]) -> None:
    """Members added two rows at a time (the member and its tag), as fast as it can."""
    with app.app_context():
        org_id = db.session.scalar(sa.text("SELECT id FROM organisation LIMIT 1"))
        while not stop.is_set():
            member = Member(
                organisation_id=org_id,
                full_name=f"Écrit pendant la copie {len(written)}",
                email=f"w{uuid.uuid4().hex[:10]}@example.ma",
                consent_at=utcnow(),
            )
            member.tags = [MemberTag(tag="pendant")]
            db.session.add(member)
            db.session.commit()
            written.append(member.id)
        db.session.remove()


def _restore(path: Path) -> tuple[sa.Engine, str | None]:
    """An engine on a fresh database made from the backup file."""
    if path.suffix == ".sqlite3":
        return sa.create_engine(f"sqlite:///{path}"), None
    name = f"liqaa_restore_{os.getpid()}"
    admin = sa.create_engine(
        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    subprocess.run(
        ["pg_restore", "--no-owner", "-h", "127.0.0.1", "-U", "postgres", "-d", name, str(path)],
        check=True,
        capture_output=True,
    )
    return sa.create_engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"), name


def test_a_backup_taken_during_writes_restores_whole(app, org, tmp_path):
    if db.engine.url.database in (None, "", ":memory:") and not is_postgres():
        pytest.skip("an in-memory database has nothing to back up")
    event = make_event(org, starts_in=timedelta(minutes=-30), hours=3)
    door = make_user(org, Role.DOOR)
    guests = [make_registration(event, f"Invité {n}") for n in range(5)]
    for guest in guests:
        admission.check_in(event, guest.ticket_code, "A", by_user=door)
    db.session.commit()
    latest = guests[-1]

    stop, written = threading.Event(), []
    writer = threading.Thread(target=_writer, args=(app, stop, written))
    writer.start()
    try:
        while len(written) < 20:  # the writer is well under way
            pass
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backups")])
    finally:
        stop.set()
        writer.join(30)
    assert result.exit_code == 0, result.output
    path = Path(result.output.strip())
    assert path.exists() and oct(path.stat().st_mode & 0o777) == "0o600"

    restored, name = _restore(path)
    try:
        with restored.connect() as conn:
            members = conn.execute(sa.text("SELECT count(*) FROM member")).scalar()
            tags = conn.execute(sa.text("SELECT count(*) FROM member_tag")).scalar()
            admitted = conn.execute(
                sa.text("SELECT checked_in_at FROM registration WHERE id = :id"),
                {"id": latest.id},
            ).scalar()
            logged = conn.execute(
                sa.text("SELECT count(*) FROM checkin WHERE registration_id = :id"),
                {"id": latest.id},
            ).scalar()
            organisations = conn.execute(sa.text("SELECT count(*) FROM organisation")).scalar()
    finally:
        restored.dispose()
        if name:
            admin = sa.create_engine(
                "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                isolation_level="AUTOCOMMIT",
            )
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
    assert members >= 20 and members == tags  # every member with its tag: one snapshot
    assert members <= len(written) + 1
    assert admitted is not None and logged == 1  # the latest check-in is there
    assert organisations == 1


def test_backup_refuses_an_in_memory_database(tmp_path):
    from app import create_app

    memory = create_app(
        {"ENV_NAME": "test", "TESTING": True, "SECRET_KEY": "x" * 40,
         "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )  # fmt: skip
    result = memory.test_cli_runner().invoke(args=["backup", str(tmp_path)])
    assert result.exit_code != 0 and "in memory" in result.output
    assert not list(tmp_path.iterdir())


def test_the_sqlite_copy_is_a_valid_database(app, org, tmp_path):
    if is_postgres():
        pytest.skip("SQLite's backup API")
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path)])
    path = Path(result.output.strip())
    check = sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0]
    assert check == "ok"
