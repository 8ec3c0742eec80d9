"""What the load benchmarks share: the production settings gunicorn starts with, a fresh
PostgreSQL database, gunicorn itself on a free port, one HTTP request, signing in with a
requests session, the command-line options of the server and the run over SQLite then
PostgreSQL with its summary; the SMTP sink in its own process and the `flask outbox
work` processes delivering to it."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
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
    def __init__(self, target: str, url: str, args, log=None):
        """gunicorn serving `target`; `log`: a file for its output (the request log's
        lines), else this process's own."""
        self.port = free_port()
        env = production_env(
            url,
            RATELIMIT_ENABLED="0",
            PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'bench'}",
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
            stdout=log,
            stderr=log,
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


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str | None:
    """The CSRF token of the (first) form of a page, None when it has none."""
    found = CSRF.search(html)
    return found.group(1) if found else None


def http_cookies(cookies=()):
    """A requests cookie jar that sends production's https-only cookies over the benches'
    http, also those set again by later responses (`cookies`: the ones to start with)."""
    import requests

    class Jar(requests.cookies.RequestsCookieJar):
        def set_cookie(self, cookie, *args, **kwargs):
            cookie.secure = False
            return super().set_cookie(cookie, *args, **kwargs)

    jar = Jar()
    for cookie in cookies:
        jar.set_cookie(cookie)
    return jar


def sign_in(session, base: str, email: str, password: str) -> None:
    """Sign a requests.Session in at `base` (its cookies become http_cookies)."""
    session.cookies = http_cookies(session.cookies)
    token = csrf_token(session.get(f"{base}/login").text)
    response = session.post(
        f"{base}/login",
        data={"email": email, "password": password, "csrf_token": token},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.status_code
    # signed in for real: the page it sends to opens (not the sign-in form again)
    location = response.headers["Location"]
    landing = session.get(base + location if location.startswith("/") else location)
    assert landing.status_code == 200 and "/login" not in landing.url, (
        f"not signed in: {landing.status_code} at {landing.url}"
    )


# --------------------------------------------------------------------------- mail


class Sink:
    """An SMTP server that writes the Message-ID of every message it accepts and when
    (`<id> <unix time>`, one a line)."""

    def __init__(self, path: str):
        self.path = path

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        head = envelope.content.split(b"\r\n\r\n", 1)[0]
        found = b""
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                found = line.split(b":", 1)[1].strip()
        with open(self.path, "ab") as out:
            out.write(found + b" " + str(time.time()).encode() + b"\n")
        return "250 OK"


def _serve_sink(port: int, path: str, ready) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(Sink(path), hostname=HOST, port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def start_sink(path: str):
    """The sink in its own process, as a real mail server would be: (process, port)."""
    import multiprocessing

    port = free_port()
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    process = context.Process(target=_serve_sink, args=(port, path, ready), daemon=True)
    process.start()
    if not ready.wait(60):
        process.terminate()
        raise RuntimeError("the SMTP sink did not start")
    return process, port


def received(path: str) -> list[tuple[bytes, float]]:
    """(Message-ID, unix time) of every message the sink has accepted so far."""
    lines = Path(path).read_bytes().splitlines() if Path(path).exists() else []
    return [(mid, float(at)) for mid, at in (line.rsplit(b" ", 1) for line in lines)]


def outbox_workers(url: str, port: int, count: int, *, once: bool, log=None, **more: str):
    """`count` `flask outbox work` processes (`--once`: each drains what is due and stops)
    on the database at `url`, sending to the SMTP server on `port`; `log`: a file for
    their output, else none; `more`: environment variables."""
    variables = production_env(
        url, MAIL_SERVER=HOST, MAIL_PORT=str(port), LOG_LEVEL="WARNING", **more
    )
    flask = str(Path(sys.executable).parent / "flask")
    command = [flask, "--app", "app:create_app", "outbox", "work", *(["--once"] if once else [])]
    return [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=variables,
            stdout=log or subprocess.DEVNULL,
            stderr=log or subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


def stop_processes(processes, timeout: float = 30) -> None:
    """SIGTERM (a worker finishes its current message), then SIGKILL after `timeout`."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
