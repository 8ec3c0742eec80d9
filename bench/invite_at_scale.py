"""Inviting every member of a large organisation, through the web pages (issue 16: "Mail
at scale"). The aim: all 200,000 members of an organisation invited with queueing under
30 s, the page answering at once (the work is a background job with a progress bar), and
the delivery page under 150 ms while the queue drains.

    .venv/bin/python bench/invite_at_scale.py                      # 200,000 members, 1 then 2
    .venv/bin/python bench/invite_at_scale.py -n 5000 --workers 2  # a quick run
    .venv/bin/python bench/invite_at_scale.py --database sqlite -n 5000 --workers 1

It seeds N members in one organisation on a fresh database (PostgreSQL by default, or
--database URL, or `sqlite` for a temporary file), serves the app with gunicorn (2 sync
workers, production settings) and starts an SMTP sink in its own process. Then, for each
count of --workers, as a separate run: start that many `flask outbox work` processes
(sending to the sink) and wait until each is connected, as the workers of a deployment
always are; as the owner, GET the invitation form, POST the preview (everyone) and POST
"send" (which must redirect to the job's progress page at once); the queueing time runs
from that POST until the job is done (every invitation made and its email queued), the
workers doing it in batches between their delivery rounds. From the POST on, another
thread requests the delivery page (/events/<id>/invitations) and the job page about once
a second, during the queueing and then for --drain-seconds while the queue drains; their
p50/p95/max are printed per phase, with the messages per second the sink received in the
drain window. Checks: each Message-ID received once, one invitation per member (N when
the job finished), one email per invitation. Between runs the event's invitations, emails
and jobs are deleted.

Every wait is bounded (--queue-seconds, --drain-seconds, the workers' start-up), so that
`make bench` ends in minutes even when the aim is far: a job still running at the bound is
reported with its progress and rate, and how long all N would take at that rate.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _serve import (  # noqa: E402 - bench/ is on the path when a benchmark runs
    Server,
    csrf_token,
    fresh_postgres,
    http_cookies,
    outbox_workers,
    pg_url,
    received,
    sign_in,
    start_sink,
    stop_processes,
)
from seed_scale import PASSWORD  # noqa: E402

WORKERS_APP = "liqaa-bench-outbox"  # the workers' PGAPPNAME: how the bench sees them connected
SEED_CHUNK = 20_000  # member rows built and inserted at a time (bounded memory)


# --------------------------------------------------------------------------- the data


def seed(url: str, n: int) -> tuple[int, str]:
    """An organisation with its staff, a published event and `n` members; (event id, the
    owner's email)."""
    import sqlalchemy as sa
    from seed_scale import (
        add_organisations,
        advance_sequences,
        insert_rows,
        member_row,
        next_ids,
        prepared_app,
    )

    from blueprints.auth.models import User
    from blueprints.events.models import Event, EventStatus
    from blueprints.members.models import Member
    from core.db import utcnow
    from core.roles import Role
    from extensions import db

    app = prepared_app(url)
    with app.app_context():
        org = add_organisations(1)[0]
        now = utcnow().replace(second=0, microsecond=0)
        event = Event(
            organisation_id=org.id, title_ar="الجمع العام", title_fr="Assemblée générale",
            venue_name="Nador", starts_at=now + timedelta(days=30),
            ends_at=now + timedelta(days=30, hours=4), capacity=250_000,
            status=EventStatus.PUBLISHED, published_at=now,
        )  # fmt: skip
        db.session.add(event)
        db.session.flush()
        rng = random.Random(16)
        ids = next_ids(Member, n)
        for start in range(0, n, SEED_CHUNK):
            rows = [
                member_row(member_id, start + k, org.id, rng, now)
                for k, member_id in enumerate(ids[start : start + SEED_CHUNK])
            ]
            insert_rows(Member, rows)
        owner = db.session.scalar(
            sa.select(User).filter_by(organisation_id=org.id, role=Role.OWNER)
        )
        result = event.id, owner.email
        db.session.commit()
        advance_sequences()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")  # the statistics a live database has
        db.engine.dispose()
    return result


def engine(url: str):
    import sqlalchemy as sa

    return sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


def reset(db, event_id: int) -> None:
    """The event back to no invitation, email or job (the next run starts from nothing)."""
    from sqlalchemy import text

    with db.begin() as conn:
        conn.execute(text("DELETE FROM outbox_message WHERE kind = 'invitation'"))
        conn.execute(text("DELETE FROM invitation WHERE event_id = :e"), {"e": event_id})
        conn.execute(text("DELETE FROM invitation_job WHERE event_id = :e"), {"e": event_id})
    if db.dialect.name == "postgresql":
        with db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("outbox_message", "invitation", "invitation_job"):
                conn.exec_driver_sql(f"VACUUM ANALYZE {table}")


def job_state(db, job_id: int) -> SimpleNamespace:
    from sqlalchemy import text

    with db.connect() as conn:
        row = conn.execute(
            text("SELECT state, done, total, invited, emailed FROM invitation_job WHERE id = :j"),
            {"j": job_id},
        ).one()
    return SimpleNamespace(**row._mapping)


def outbox_left(db) -> int:
    from sqlalchemy import text

    with db.connect() as conn:
        return conn.scalar(
            text(
                "SELECT count(*) FROM outbox_message WHERE kind = 'invitation' "
                "AND state IN ('queued', 'sending')"
            )
        )


def counts(db, event_id: int) -> dict[str, int]:
    """Invitations, the members they are for, and their emails (rows, keys, by state)."""
    from sqlalchemy import text

    with db.connect() as conn:
        invitations, members = conn.execute(
            text("SELECT count(*), count(DISTINCT member_id) FROM invitation WHERE event_id = :e"),
            {"e": event_id},
        ).one()
        emails, keys = conn.execute(
            text(
                "SELECT count(*), count(DISTINCT key) FROM outbox_message WHERE kind = 'invitation'"
            )
        ).one()
        states = dict(
            conn.execute(
                text(
                    "SELECT state, count(*) FROM outbox_message WHERE kind = 'invitation' "
                    "GROUP BY state"
                )
            ).all()
        )
    return {"invitations": invitations, "members": members, "emails": emails, "keys": keys} | {
        f"outbox {state}": count for state, count in sorted(states.items())
    }


# --------------------------------------------------------------------------- the workers


def wait_connected(processes, url: str, bound: float) -> float:
    """Seconds until every worker process holds its database connection (it has imported
    the app and is in its loop), at most `bound`."""
    from sqlalchemy import text

    started = time.monotonic()
    db = engine(url) if url.startswith("postgresql") else None
    sqlite_file = url.removeprefix("sqlite:///")
    try:
        while time.monotonic() - started < bound:
            if any(p.poll() is not None for p in processes):
                raise RuntimeError("an outbox worker stopped at start-up")
            if db is not None:
                with db.connect() as conn:
                    connected = conn.scalar(
                        text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :a"),
                        {"a": WORKERS_APP},
                    )
            else:
                connected = sum(_has_open(p.pid, sqlite_file) for p in processes)
            if connected >= len(processes):
                break
            time.sleep(0.5)
    finally:
        if db is not None:
            db.dispose()
    return time.monotonic() - started


def _has_open(pid: int, path: str) -> bool:
    folder = Path(f"/proc/{pid}/fd")
    try:
        return any(os.readlink(folder / fd) == path for fd in os.listdir(folder))
    except OSError:
        return False


# --------------------------------------------------------------------------- the watcher


class Watcher(threading.Thread):
    """Requests each path about once every `every` seconds with its own session, noting
    (phase, label, seconds, status); `phase` is changed by the main thread."""

    def __init__(self, session, base: str, paths: dict[str, str], every: float):
        super().__init__(daemon=True)
        import requests

        self.session = requests.Session()
        self.session.cookies = http_cookies(session.cookies)
        self.base, self.paths, self.every = base, paths, every
        self.phase = "queueing"
        self.samples: list[tuple[str, str, float, int]] = []
        self.halt = threading.Event()
        self.errors: Counter[str] = Counter()

    def run(self) -> None:
        while not self.halt.is_set():
            began = time.perf_counter()
            for label, path in self.paths.items():
                phase, start = self.phase, time.perf_counter()
                try:
                    status = self.session.get(self.base + path, allow_redirects=False).status_code
                except OSError as error:  # noted, and counted as status 0
                    status = 0
                    self.errors[f"{type(error).__name__}: {error}"[:160]] += 1
                self.samples.append((phase, label, time.perf_counter() - start, status))
            self.halt.wait(max(0.0, self.every - (time.perf_counter() - began)))

    def lines(self) -> list[str]:
        out = []
        for phase in ("queueing", "draining"):
            for label in self.paths:
                times = [s[2] * 1000 for s in self.samples if s[:2] == (phase, label)]
                bad = Counter(s[3] for s in self.samples if s[:2] == (phase, label) and s[3] != 200)
                if not times:
                    out.append(f"  {label:14} {phase:9} no request")
                    continue
                p95 = (
                    statistics.quantiles(times, n=20, method="inclusive")[-1]
                    if len(times) > 1
                    else times[0]
                )
                out.append(
                    f"  {label:14} {phase:9} {len(times):4} requests  p50 "
                    f"{statistics.median(times):7.0f} ms  p95 {p95:7.0f} ms  max "
                    f"{max(times):7.0f} ms" + (f"  not 200: {dict(bad)}" if bad else "")
                )
        out += [f"  no answer ({n}): {error}" for error, n in self.errors.items()]
        return out


# --------------------------------------------------------------------------- one run


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def timed(call):
    start = time.perf_counter()
    response = call()
    return response, time.perf_counter() - start


def run(args, ctx, count: int) -> list[str]:
    """One run with `count` outbox worker processes; its report lines."""
    out = [f"-- {count} outbox worker(s), {args.n:,} members (load {load()})"]
    print(out[0], flush=True)

    def say(line: str) -> None:
        out.append(line)
        print(line, flush=True)

    Path(ctx.sink_file).write_bytes(b"")
    started = time.monotonic()
    workers = outbox_workers(
        ctx.url, ctx.port, count, once=False, log=ctx.workers_log, PGAPPNAME=WORKERS_APP
    )
    watcher = None
    try:
        ready = wait_connected(workers, ctx.url, args.startup_seconds)
        say(f"workers connected after {ready:.1f} s (start-up: importing the app)")
        base, event_id, session = ctx.base, ctx.event_id, ctx.session
        form_url = f"{base}/events/{event_id}/invitations/new"
        form, took = timed(lambda: session.get(form_url))
        say(f"GET the invitation form: {form.status_code} in {took * 1000:.0f} ms")
        data = {"csrf_token": csrf_token(form.text), "everyone": "y"}
        preview, took = timed(lambda: session.post(form_url, data=data | {"preview": "1"}))
        say(f"POST preview (everyone): {preview.status_code} in {took * 1000:.0f} ms")
        posted = time.monotonic()
        sent, took = timed(
            lambda: session.post(form_url, data=data | {"confirm": "1"}, allow_redirects=False)
        )
        where = sent.headers.get("Location", "")
        found = re.search(r"/invitations/jobs/(\d+)", where)
        say(f"POST send: {sent.status_code} in {took * 1000:.0f} ms -> {where or 'no redirect'}")
        if sent.status_code != 302 or not found:
            say("MISMATCH: the POST did not redirect to a job's progress page")
            return out
        job_id = int(found.group(1))
        watcher = Watcher(
            session,
            base,
            {
                "delivery page": f"/events/{event_id}/invitations",
                "job page": f"/events/{event_id}/invitations/jobs/{job_id}",
            },
            args.every,
        )
        watcher.start()
        while time.monotonic() - posted < args.queue_seconds:
            job = job_state(ctx.db, job_id)
            if job.state in ("done", "failed"):
                break
            time.sleep(0.25)
        queueing = time.monotonic() - posted
        job = job_state(ctx.db, job_id)
        if job.state == "done":
            per_second = job.invited / queueing
            say(
                f"queueing: {queueing:.1f} s = {per_second:,.0f} invitations/s (job done: "
                f"{job.invited:,} invited, {job.emailed:,} emails queued; aim < 30 s)"
            )
        else:
            rate = job.done / queueing
            left = f"all {job.total:,} in about {job.total / rate:,.0f} s" if rate else "none done"
            say(
                f"queueing NOT finished at the {args.queue_seconds:.0f} s bound: job "
                f"{job.state}, {job.done:,} of {job.total:,} members done = {rate:,.0f}/s "
                f"-> {left}"
            )
        watcher.phase = "draining"
        drain_from = time.time()
        sent_before = len(received(ctx.sink_file))
        while time.time() - drain_from < args.drain_seconds and outbox_left(ctx.db):
            time.sleep(0.5)
        drained = time.time() - drain_from
        got = [at for _mid, at in received(ctx.sink_file)]
        in_window = sum(1 for at in got if drain_from <= at <= drain_from + drained)
        left = outbox_left(ctx.db)
        say(f"sent while queueing: {sent_before:,} emails; drain window {drained:.1f} s: "
            f"{in_window:,} emails = {in_window / drained:,.0f} messages/s; still queued "
            f"{left:,}" + (f" (about {left / (in_window / drained):,.0f} s more at that rate)"
                           if in_window and left else ""))  # fmt: skip
    finally:
        if watcher is not None:
            watcher.halt.set()
            watcher.join(60)
        stop_processes(workers, timeout=60)
    say(f"page times while queueing and while draining (about every {args.every:g} s):")
    for line in watcher.lines():
        say(line)
    by_id = Counter(mid for mid, _at in received(ctx.sink_file))
    twice = sum(1 for n in by_id.values() if n > 1)
    found = counts(ctx.db, event_id)
    whole = job.state == "done"
    ok = (
        not twice
        and found["invitations"] == found["members"]
        and found["emails"] == found["keys"] == found["invitations"]
        and (found["invitations"] == args.n or not whole)
        and found.get("outbox sent", 0) <= len(by_id)
    )
    say(f"checks: sink {sum(by_id.values()):,} messages, {len(by_id):,} distinct Message-IDs, "
        f"{twice} twice; {found}; -> {'OK' if ok else 'MISMATCH'}"
        + ("" if whole else " (job unfinished: N not checked)"))  # fmt: skip
    if ctx.server.proc.poll() is not None:
        say(f"MISMATCH: gunicorn stopped during the run (exit code {ctx.server.proc.returncode})")
    say(f"run took {time.monotonic() - started:.0f} s (load {load()})")
    return out


def serve(args, ctx, owner_email: str, web_log, report: list[str]) -> None:
    """The sink, gunicorn, the owner signed in, and a run per count of workers."""
    import requests

    ctx.db = engine(ctx.url)
    sink, ctx.port = start_sink(ctx.sink_file)
    shape = SimpleNamespace(workers=args.web_workers, worker_class="sync", threads=1)
    server = None
    try:
        server = ctx.server = Server("app:create_app()", ctx.url, shape, log=web_log)
        ctx.base = f"http://127.0.0.1:{server.port}"
        ctx.session = requests.Session()
        sign_in(ctx.session, ctx.base, owner_email, PASSWORD)
        for i, count in enumerate(args.workers):
            if server.proc.poll() is not None:
                raise RuntimeError("gunicorn has stopped")
            if i:
                reset(ctx.db, ctx.event_id)
            report += run(args, ctx, count)
    finally:
        if server is not None:
            server.stop()
        sink.terminate()
        ctx.db.dispose()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=200_000, help="members (default 200,000)")
    parser.add_argument(
        "--database", default=pg_url("liqaa_bench_invite"), help="a PostgreSQL URL or sqlite"
    )
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1, 2], help="outbox processes, a run each"
    )
    parser.add_argument("--queue-seconds", type=float, default=300, help="bound on queueing")
    parser.add_argument("--drain-seconds", type=float, default=30, help="the drain window")
    parser.add_argument("--startup-seconds", type=float, default=180, help="workers' start-up")
    parser.add_argument("--every", type=float, default=1.0, help="seconds between page checks")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args(argv)

    tmp = tempfile.mkdtemp()
    url = args.database
    if url == "sqlite":
        url = f"sqlite:///{tmp}/invite.db"
    else:
        fresh_postgres(url)
    print(f"seeding {args.n:,} members on {url.split('@')[-1]} (load {load()})…", flush=True)
    started = time.perf_counter()
    event_id, owner_email = seed(url, args.n)
    seeded = time.perf_counter() - started
    report = [
        f"bounds per run: workers' start-up {args.startup_seconds:.0f} s, queueing "
        f"{args.queue_seconds:.0f} s, drain window {args.drain_seconds:.0f} s; runs with "
        + ", ".join(str(count) for count in args.workers)
        + " outbox worker(s)",
        f"seeded {args.n:,} members in {seeded:.1f} s",
    ]
    print("\n".join(report), flush=True)

    ctx = SimpleNamespace(url=url, event_id=event_id, sink_file=os.path.join(tmp, "sink.txt"))
    logs = [os.path.join(tmp, f"{name}.log") for name in ("gunicorn", "workers")]
    with open(logs[0], "ab") as web_log, open(logs[1], "ab") as ctx.workers_log:
        serve(args, ctx, owner_email, web_log, report)
    for path in logs:
        text = Path(path).read_text(errors="replace")
        errors = text.count('"level": "error"') + text.count("Traceback")
        report.append(f"{errors} error(s) in {path}")
    print("\n== summary (" + ("PostgreSQL" if url.startswith("postgresql") else "SQLite") + ")")
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
