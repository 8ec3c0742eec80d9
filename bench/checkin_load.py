"""Check-in under load: gunicorn (2 workers), 16 clients, on SQLite and PostgreSQL.

For each database it prepares an event with N registrations, starts gunicorn on
127.0.0.1, and runs three phases of the same load (C concurrent clients, S seconds):

  baseline   a minimal Flask-SQLAlchemy app built here (not in the product): one SELECT
             and one UPDATE of a registration row per request
  admit      POST /api/v1/events/<id>/checkins with distinct valid tickets
  already    the same endpoint with tickets admitted in the previous phase

and prints requests per second and p50/p95/p99 latency for each, then checks that
every ticket was admitted at most once.

    .venv/bin/python bench/checkin_load.py                       # full run: 20 s, 10,000 tickets
    .venv/bin/python bench/checkin_load.py --seconds 5 --tickets 2000 --db sqlite   # short run
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import json
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _serve import (  # noqa: E402 - bench/ is on the path when a benchmark runs
    HOST,
    PRODUCTION,
    Server,
    add_server_options,
    baseline_flask,
    on_each_database,
)

# --------------------------------------------------------------------------- the baseline app


def baseline_app():
    """One SELECT and one UPDATE of a row through Flask-SQLAlchemy, nothing else."""
    import sqlalchemy as sa
    from flask import jsonify, request

    from core.db import utcnow

    app, base_db = baseline_flask("baseline", sqlite_timeout=10)
    table = sa.table(
        "registration",
        sa.column("id"),
        sa.column("ticket_code_hash"),
        sa.column("full_name"),
        sa.column("updated_at"),
    )

    @app.post("/baseline")
    def baseline():
        code = str((request.get_json(silent=True) or {}).get("code", ""))
        digest = hashlib.sha256(code.encode()).hexdigest()  # as Liqaa stores codes
        row = base_db.session.execute(
            sa.select(table.c.id, table.c.full_name).where(table.c.ticket_code_hash == digest)
        ).first()
        if row is None:
            return jsonify(found=False)
        base_db.session.execute(
            sa.update(table)
            .where(table.c.id == row.id)
            .values(updated_at=utcnow().replace(tzinfo=None))
        )
        base_db.session.commit()
        return jsonify(found=True, name=row.full_name)

    return app


# --------------------------------------------------------------------------- data


def prepare(url: str, tickets: int) -> tuple[int, str, list[str]]:
    """A fresh schema with one open event, `tickets` accepted registrations and a device."""
    import sqlalchemy as sa

    from app import create_app
    from blueprints.auth.models import User
    from blueprints.checkin import devices
    from blueprints.events.models import Event, EventStatus
    from blueprints.orgs.models import Organisation
    from blueprints.rsvp.models import Registration
    from core.db import utcnow
    from core.roles import Role
    from core.tokens import new_token, seal, sha256_hex
    from extensions import db

    app = create_app(
        {
            "ENV_NAME": "production",
            **PRODUCTION,
            "SQLALCHEMY_DATABASE_URI": url,
            "OUTBOX_IN_PROCESS_WORKER": False,
        }
    )
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        else:
            db.drop_all()
        db.create_all()
        org = Organisation(slug="bench", name_fr="Bench", name_ar="Bench", sender_name="Bench")
        db.session.add(org)
        db.session.flush()
        user = User(organisation_id=org.id, email="organiser@bench.test", role=Role.ORGANISER)
        user.password_hash = "!"
        db.session.add(user)
        now = utcnow().replace(second=0, microsecond=0)
        event = Event(
            organisation_id=org.id,
            title_fr="Bench",
            starts_at=now - timedelta(minutes=30),
            ends_at=now + timedelta(hours=4),
            capacity=tickets * 2,
            status=EventStatus.PUBLISHED,
        )
        db.session.add(event)
        db.session.flush()
        codes = [new_token() for _ in range(tickets)]
        db.session.execute(
            sa.insert(Registration),
            [
                {
                    "organisation_id": org.id,
                    "event_id": event.id,
                    "status": "accepted",
                    "full_name": f"Guest {i}",
                    "company": "",
                    "ticket_code_hash": sha256_hex(code),
                    "ticket_code_sealed": seal(code),
                    "created_at": now,
                    "updated_at": now,
                }
                for i, code in enumerate(codes)
            ],
        )
        _device, token = devices.issue_device(event, "A", "bench", user)
        db.session.commit()
        event_id = event.id
        db.engine.dispose()
    return event_id, token, codes


# --------------------------------------------------------------------------- load


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    answers: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    seconds: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = float("nan")

    def line(self) -> str:
        n = len(self.latencies)
        if not n:
            return f"{self.name:<10} no requests"
        q = statistics.quantiles(self.latencies, n=100, method="inclusive")
        return (
            f"{self.name:<10} {n:>7} req  {n / self.seconds:>8.1f} req/s  "
            f"p50 {q[49] * 1000:6.1f} ms  p95 {q[94] * 1000:6.1f} ms  p99 {q[98] * 1000:6.1f} ms  "
            f"server CPU {self.server_cpu * 1000 / n:5.2f} ms/req  "
            f"client CPU {self.client_cpu / self.seconds:4.0%}  "
            f"errors {self.errors}  answers {dict(sorted(self.answers.items()))}"
        )


async def _post(port: int, raw: bytes) -> tuple[int, bytes]:
    """One HTTP/1.1 POST on a fresh connection (as a door phone would), read to the end."""
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(raw)
        data = await reader.read()
    finally:
        writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head[9:12]), body


def _raw_request(port: int, path: str, headers: dict, body: dict) -> bytes:
    payload = json.dumps(body).encode()
    lines = [f"POST {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    lines.append(f"Content-Length: {len(payload)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


def run_phase(name, port, path, headers, codes, clients, seconds, key) -> Phase:
    """`clients` concurrent clients send requests for `seconds` (or until the codes run out).

    A single asyncio loop: one process, little CPU per request, so that on a small machine
    the client takes as little as possible from the server it measures (its CPU time is
    printed with the results).
    """
    phase = Phase(name)
    supply = iter(codes)  # shared by the clients (and by consecutive phases)

    async def client(stop_at: float):
        loop = asyncio.get_running_loop()
        while loop.time() < stop_at:
            code = next(supply, None)
            if code is None:
                return
            body = {"code": code, "door": "A", "nonce": uuid.uuid4().hex}
            raw = _raw_request(port, path, headers, body)
            started = time.perf_counter()
            try:
                status, payload = await _post(port, raw)
            except (OSError, ValueError):
                phase.errors += 1
                continue
            phase.latencies.append(time.perf_counter() - started)
            if status != 200:
                phase.errors += 1
                continue
            answer = str(json.loads(payload).get(key))
            phase.answers[answer] = phase.answers.get(answer, 0) + 1

    async def all_clients():
        stop_at = asyncio.get_running_loop().time() + seconds
        await asyncio.gather(*(client(stop_at) for _ in range(clients)))

    cpu, started = time.process_time(), time.monotonic()
    asyncio.run(all_clients())
    phase.seconds = time.monotonic() - started
    phase.client_cpu = time.process_time() - cpu
    return phase


def check_once(url: str, event_id: int) -> str:
    import sqlalchemy as sa

    engine = sa.create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1)
        if url.startswith("postgresql")
        else url
    )
    with engine.connect() as conn:
        admitted = conn.execute(
            sa.text("SELECT count(*) FROM checkin WHERE event_id = :e AND result = 'admitted'"),
            {"e": event_id},
        ).scalar()
        distinct = conn.execute(
            sa.text(
                "SELECT count(DISTINCT registration_id) FROM checkin "
                "WHERE event_id = :e AND result = 'admitted'"
            ),
            {"e": event_id},
        ).scalar()
        checked = conn.execute(
            sa.text("SELECT count(*) FROM registration WHERE checked_in_at IS NOT NULL")
        ).scalar()
        logged = conn.execute(
            sa.text("SELECT count(*) FROM checkin WHERE event_id = :e"), {"e": event_id}
        ).scalar()
    engine.dispose()
    ok = admitted == distinct == checked
    return (
        f"check: {checked} checked in, {admitted} admissions logged for {distinct} tickets, "
        f"{logged} log rows -> {'OK, each ticket once' if ok else 'MISMATCH'}"
    )


def measured(server, name, path, headers, supply, args, key) -> Phase:
    """A warm-up (not counted: workers import, connect, compile), then the measured phase."""
    if args.warmup:
        run_phase("warm-up", server.port, path, headers, supply, args.clients, args.warmup, key)
    cpu = server.cpu_seconds()
    phase = run_phase(name, server.port, path, headers, supply, args.clients, args.seconds, key)
    phase.server_cpu = server.cpu_seconds() - cpu
    return phase


def bench_database(label: str, url: str, args) -> list[str]:
    print(f"\n== {label}: preparing {args.tickets} registrations…", flush=True)
    event_id, token, codes = prepare(url, args.tickets)
    worker = args.worker_class + (f", {args.threads} threads" if args.threads > 1 else "")
    lines = [
        f"{label} ({args.clients} clients, {args.seconds:.0f} s per phase after "
        f"{args.warmup:.0f} s of warm-up, gunicorn -w {args.workers} {worker})"
    ]
    json_headers = {"Content-Type": "application/json"}

    # The baseline admits nobody (it only touches updated_at), so it cycles through the tickets.
    server = Server("checkin_load:baseline_app()", url, args)
    try:
        phase = measured(
            server, "baseline", "/baseline", json_headers, itertools.cycle(codes), args, "found"
        )
    finally:
        server.stop()
    lines.append(phase.line())
    print(lines[-1], flush=True)

    server = Server("app:create_app()", url, args)
    headers = {**json_headers, "Authorization": f"Bearer {token}"}
    path = f"/api/v1/events/{event_id}/checkins"
    try:
        # Distinct valid tickets, each used once (the warm-up takes the first ones).
        supply = iter(codes)
        admit = measured(server, "admit", path, headers, supply, args, "result")
        lines.append(admit.line())
        print(lines[-1], flush=True)
        used = len(codes) - sum(1 for _ in supply)
        if used == len(codes):
            lines.append(f"           (all {used} tickets were used: the phase stopped early)")
            print(lines[-1], flush=True)
        already = measured(
            server, "already", path, headers, itertools.cycle(codes[:used]), args, "result"
        )
        lines.append(already.line())
        print(lines[-1], flush=True)
    finally:
        server.stop()
    lines.append(check_once(url, event_id))
    print(lines[-1], flush=True)
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="per phase (default 20)")
    parser.add_argument("--tickets", type=int, default=10_000, help="registrations (default 10000)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before each phase")
    add_server_options(parser, "liqaa_bench_checkin")
    args = parser.parse_args(argv)

    return on_each_database(args, bench_database)


if __name__ == "__main__":
    sys.exit(main())
