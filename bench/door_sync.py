"""Door phones back online at once: each sends the scans it queued while offline.

A venue with P door phones (one device token and one door each) lost the network for
20 minutes; each queued S scans. A share of the people went to two doors (their ticket is
in the queues of two phones: the second scan is a conflict to report), and the phones'
first sends were cut off, so a share of the scans is sent twice with the same nonce. When
the network is back every phone sends its queue at once, one request after the other (as
the door page does), through the check-in API with `offline: true` and the scan's time.

It prints, for each database, the time until every phone is in sync, scans per second,
p50/p95/p99, and checks in the database that each ticket was admitted exactly once (one
admission in the log, the registration marked), that each scan is logged once (retries
answered from the log) and that each ticket seen at two doors gave exactly one conflict.

    .venv/bin/python bench/door_sync.py                          # 6 phones x 400 scans
    .venv/bin/python bench/door_sync.py --scans 100 --db sqlite  # short run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _serve import PRODUCTION, Server, add_server_options, on_each_database  # noqa: E402
from checkin_load import _post, _raw_request  # noqa: E402
from checkin_load import prepare as prepare_event  # noqa: E402

DOORS = "ABCDEFGHIJKL"


def add_devices(url: str, event_id: int, first_token: str, phones: int) -> list[str]:
    """One device per door: the one `prepare_event` issued (door A), then B, C, …"""
    import sqlalchemy as sa

    from app import create_app
    from blueprints.auth.models import User
    from blueprints.checkin import devices
    from blueprints.events.models import Event
    from extensions import db

    app = create_app(
        {
            "ENV_NAME": "production",
            **PRODUCTION,
            "SQLALCHEMY_DATABASE_URI": url,
            "OUTBOX_IN_PROCESS_WORKER": False,
        }
    )
    tokens = [first_token]
    with app.app_context():
        event = db.session.get(Event, event_id)
        user = db.session.scalar(sa.select(User))
        for n in range(1, phones):
            _device, token = devices.issue_device(event, DOORS[n], f"Phone {DOORS[n]}", user)
            tokens.append(token)
        db.session.commit()
        db.engine.dispose()
    return tokens


def queues(codes: list[str], phones: int, scans: int, shared: float, retried: float, seed=7):
    """Each phone's list of (code, nonce, scanned_at); the tickets seen at two doors."""
    rng = random.Random(seed)
    now = time.time()
    own = int(scans * (1 - shared))
    supply = iter(codes)
    mine = [[next(supply) for _ in range(own)] for _ in range(phones)]
    twice = []
    lists = []
    for p in range(phones):
        # Some of this phone's people also went to the next door.
        borrowed = mine[(p + 1) % phones][: scans - own]
        twice += borrowed
        entries = []
        for code in mine[p] + borrowed:
            at = now - rng.uniform(0, 20 * 60)  # within the 20 offline minutes
            entries.append((at, code, f"{DOORS[p]}:{uuid.uuid4().hex}"))
        entries.sort()
        # A cut-off first send: these scans go again, with the same nonce.
        repeats = rng.sample(entries, int(len(entries) * retried))
        queue = entries + repeats
        queue.sort(key=lambda e: e[0])
        lists.append(queue)
    return lists, set(twice)


def sync(port: int, event_id: int, tokens: list[str], lists) -> tuple[float, list, list, int]:
    """Every phone sends its queue at once; (seconds, latencies, answers, errors)."""
    path = f"/api/v1/events/{event_id}/checkins"
    latencies: list[float] = []
    answers: list[tuple[str, str, dict]] = []
    errors = [0]
    done_at: list[float] = []

    async def phone(token, queue):
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        for at, code, nonce in queue:
            scanned = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at)) + "+00:00"
            body = {"code": code, "nonce": nonce, "offline": True, "scanned_at": scanned}
            started = time.perf_counter()
            try:
                status, payload = await _post(port, _raw_request(port, path, headers, body))
            except (OSError, ValueError):
                errors[0] += 1
                continue
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors[0] += 1
                continue
            answers.append((nonce, code, json.loads(payload)))
        done_at.append(time.perf_counter())

    async def all_phones():
        await asyncio.gather(*(phone(t, q) for t, q in zip(tokens, lists, strict=True)))

    started = time.perf_counter()
    asyncio.run(all_phones())
    return max(done_at) - started, latencies, answers, errors[0]


def check(url: str, event_id: int, answers, twice: set[str], sent: int) -> list[str]:
    import sqlalchemy as sa

    engine = sa.create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1)
        if url.startswith("postgresql")
        else url
    )
    with engine.connect() as conn:

        def one(sql):
            return conn.execute(sa.text(sql), {"e": event_id}).scalar()

        admitted = one("SELECT count(*) FROM checkin WHERE event_id = :e AND result = 'admitted'")
        tickets = one(
            "SELECT count(DISTINCT registration_id) FROM checkin "
            "WHERE event_id = :e AND result = 'admitted'"
        )
        marked = one(
            "SELECT count(*) FROM registration WHERE event_id = :e AND checked_in_at IS NOT NULL"
        )
        mine = "event_id = :e AND nonce NOT LIKE 'warm:%'"  # the warm-up's scans aside
        logged = one(f"SELECT count(*) FROM checkin WHERE {mine}")
        nonces = one(f"SELECT count(DISTINCT nonce) FROM checkin WHERE {mine}")
        conflicts = one("SELECT count(*) FROM checkin_conflict WHERE event_id = :e")
        conflicted = one(
            "SELECT count(DISTINCT registration_id) FROM checkin_conflict WHERE event_id = :e"
        )
    engine.dispose()
    # The same nonce got the same answer every time it was sent.
    first: dict[str, dict] = {}
    retry_faults = 0
    for nonce, _code, answer in answers:
        if nonce in first and first[nonce] != answer:
            retry_faults += 1
        first.setdefault(nonce, answer)
    distinct_codes = len({code for _n, code, _a in answers})
    once = admitted == tickets == marked == distinct_codes
    lines = [
        f"admissions: {admitted} logged for {tickets} tickets, {marked} marked, "
        f"{distinct_codes} distinct tickets scanned -> {'OK, each once' if once else 'MISMATCH'}",
        f"log: {logged} rows for {nonces} nonces, {len(first)} distinct scans of {sent} sent, "
        f"{retry_faults} retries answered differently -> "
        + ("OK" if logged == nonces == len(first) and not retry_faults else "MISMATCH"),
        f"conflicts: {conflicts} recorded for {conflicted} tickets, {len(twice)} tickets seen "
        f"at two doors -> "
        + ("OK, each once" if conflicts == conflicted == len(twice) else "MISMATCH"),
    ]
    return lines


def bench_database(label: str, url: str, args) -> list[str]:
    total = args.phones * args.scans
    print(f"\n== {label}: preparing {total} registrations and {args.phones} phones…", flush=True)
    event_id, token, codes = prepare_event(url, total)
    tokens = add_devices(url, event_id, token, args.phones)
    lists, twice = queues(codes, args.phones, args.scans, args.shared, args.retried)
    sent = sum(len(q) for q in lists)
    server = Server("app:create_app()", url, args)
    try:
        # Warm-up (not counted): each worker looks up the tokens once.
        warm = [[(time.time(), "not-a-ticket", f"warm:{uuid.uuid4().hex}")] * 2 for _ in tokens]
        sync(server.port, event_id, tokens, warm)
        seconds, latencies, answers, errors = sync(server.port, event_id, tokens, lists)
    finally:
        server.stop()
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    results: dict[str, int] = {}
    for _n, _c, answer in answers:
        results[answer["result"]] = results.get(answer["result"], 0) + 1
    lines = [
        f"{label} ({args.phones} phones x {args.scans} queued scans, {args.shared:.0%} of people "
        f"at two doors, {args.retried:.0%} sent twice, gunicorn -w {args.workers})",
        f"in sync after {seconds:.1f} s: {sent} requests, {sent / seconds:.1f} req/s, "
        f"p50 {q[49] * 1000:.1f} ms p95 {q[94] * 1000:.1f} ms p99 {q[98] * 1000:.1f} ms, "
        f"errors {errors}, answers {dict(sorted(results.items()))}",
    ]
    lines += check(url, event_id, answers, twice, sent)
    for line in lines:
        print(line, flush=True)
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--phones", type=int, default=6, help="door phones (default 6)")
    parser.add_argument("--scans", type=int, default=400, help="queued per phone (default 400)")
    parser.add_argument("--shared", type=float, default=0.1, help="share seen at two doors")
    parser.add_argument("--retried", type=float, default=0.05, help="share sent twice")
    add_server_options(parser, "liqaa_bench_door_sync")
    args = parser.parse_args(argv)
    if not 1 <= args.phones <= len(DOORS):
        parser.error(f"--phones: 1 to {len(DOORS)}")

    return on_each_database(args, bench_database)


if __name__ == "__main__":
    sys.exit(main())
