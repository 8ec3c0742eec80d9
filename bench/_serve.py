"""What the load benchmarks share: the production settings gunicorn starts with, a fresh
PostgreSQL database, gunicorn itself on a free port, one HTTP request, the command-line
options of the server and the run over SQLite then PostgreSQL with its summary."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
# A production configuration that passes Liqaa's start-up check.
PRODUCTION = {
    "SECRET_KEY": "bench-" + "0123456789abcdef" * 4,
    "BASE_URL": "https://liqaa.bench.example",
    "MAIL_DEFAULT_SENDER": "liqaa@bench.example",
}


def pg_url(database: str) -> str:
    """BENCH_DATABASE_URL, else a database of this benchmark's own on the local server."""
    return os.environ.get("BENCH_DATABASE_URL", f"postgresql://postgres@127.0.0.1:5432/{database}")


def fresh_postgres(url: str) -> None:
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


# --------------------------------------------------------------------------- gunicorn


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def production_env(url: str, **more: str) -> dict[str, str]:
    """The environment of a Liqaa process in production on the database at `url`, with no
    mail worker inside the web processes."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": PRODUCTION["SECRET_KEY"],
        "BASE_URL": PRODUCTION["BASE_URL"],
        "MAIL_DEFAULT_SENDER": PRODUCTION["MAIL_DEFAULT_SENDER"],
        "LIQAA_ENV": "production",
        "OUTBOX_IN_PROCESS_WORKER": "0",
        **more,
    }


class Server:
    def __init__(self, target: str, url: str, args, **more_env: str):
        self.port = free_port()
        env = production_env(
            url,
            RATELIMIT_ENABLED="0",
            PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'bench'}",
            **more_env,
        )
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        self.proc = subprocess.Popen(
            [
                gunicorn,
                *("-w", str(args.workers), "-k", args.worker_class, "--threads", str(args.threads)),
                *("-b", f"{HOST}:{self.port}", "--log-level", "warning"),
                *("--timeout", str(getattr(args, "timeout", 30))),
                target,
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                status, _ = request(self.port, "GET", "/healthz", None, {})
                if status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn {target} did not start")

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the gunicorn workers."""
        total = 0.0
        tick = os.sysconf("SC_CLK_TCK")
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        except OSError:
            return float("nan")
        for pid in children.split():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick
        return total

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def baseline_flask(name: str, sqlite_timeout: int):
    """A bare Flask app with Flask-SQLAlchemy on DATABASE_URL (SQLite's pragmas as Liqaa sets
    them) and a /healthz, nothing else: what a benchmark measures Liqaa against. Imported
    here, not at the top, so that the benchmark's own process never loads Flask."""
    from flask import Flask
    from flask_sqlalchemy import SQLAlchemy

    from core.db import enable_sqlite_pragmas

    app = Flask(name)
    uri = os.environ["DATABASE_URL"]
    if uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri[len("postgresql://") :]
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": sqlite_timeout}}
    base_db = SQLAlchemy()
    base_db.init_app(app)
    with app.app_context():
        enable_sqlite_pragmas(base_db.engine)

    @app.get("/healthz")
    def healthz():
        return "ok"

    return app, base_db


def request(port: int, method: str, path: str, body, headers) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        payload = json.dumps(body) if body is not None else None
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# --------------------------------------------------------------------------- the runs


def add_server_options(parser: argparse.ArgumentParser, database: str) -> None:
    """gunicorn's shape and the databases to run on (`database`: the PostgreSQL one)."""
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--worker-class", default="sync", help="gunicorn -k (sync, gthread)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn --threads (gthread)")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-url", default=pg_url(database))


def on_each_database(args, bench_database: Callable[[str, str, object], list[str]]) -> int:
    """bench_database(label, url, args) on SQLite (a file in a temporary folder) and on a
    fresh PostgreSQL database, as --db says; then every line of both, as a summary."""
    report: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.db in ("sqlite", "both"):
            report += bench_database("SQLite (WAL)", f"sqlite:///{tmp}/bench.db", args)
        if args.db in ("postgres", "both"):
            try:
                fresh_postgres(args.pg_url)
            except Exception as error:  # noqa: BLE001 - say why and go on
                print(f"\nPostgreSQL skipped: {error}")
            else:
                report += bench_database("PostgreSQL", args.pg_url, args)
    print("\n== summary")
    print("\n".join(report))
    return 0
