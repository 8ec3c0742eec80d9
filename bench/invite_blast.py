"""Invitations end to end: N invitations queued and delivered to a local SMTP sink.

    python bench/invite_blast.py [N]          # default 10,000 (env BENCH_INVITES too)
    DATABASE_URL=postgresql://… python bench/invite_blast.py

Prints messages per second end to end (invite -> outbox -> builder -> SMTP), and, in
the same run, plain smtplib sending the same number of prebuilt messages over one
connection to the same sink. The default worker setup is used: one worker on SQLite,
two (`flask outbox work --concurrency 2`) on PostgreSQL.
"""

from __future__ import annotations

import multiprocessing
import os
import smtplib
import socket
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller  # noqa: E402


class Sink:
    """Counts what it receives; the counter is shared when the sink runs in its own process."""

    def __init__(self, counter):
        self.counter = counter

    @property
    def count(self) -> int:
        return self.counter.value

    @count.setter
    def count(self, value: int) -> None:
        self.counter.value = value

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self.counter.get_lock():
            self.counter.value += 1
        return "250 OK"


def serve(port: int, counter, ready) -> None:
    """The sink as its own program, as a real SMTP server would be (BENCH_SINK=process)."""
    controller = Controller(Sink(counter), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(sink: Sink, count: int, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while sink.count < count and time.monotonic() < deadline:
        time.sleep(0.01)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("BENCH_INVITES", 10_000))
    port = free_port()
    context = multiprocessing.get_context("fork")
    sink = Sink(context.Value("q", 0))
    separate = os.environ.get("BENCH_SINK") == "process"
    if separate:  # started before the app exists: the child needs nothing of it
        ready = context.Event()
        sink_process = context.Process(target=serve, args=(port, sink.counter, ready), daemon=True)
        sink_process.start()
        ready.wait(30)
    else:
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
    tmp = tempfile.mkdtemp()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.db"

    from app import create_app
    from config import TestConfig
    from extensions import db

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=url, MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    app = create_app(config)
    postgres = url.startswith("postgres")
    workers = int(os.environ.get("BENCH_WORKERS") or (2 if postgres else 1))

    from blueprints.events.models import Event, EventStatus, ProgrammeItem
    from blueprints.invitations import services
    from blueprints.members.models import Member
    from blueprints.orgs.models import Organisation
    from core import outbox_worker
    from core.db import utcnow

    with app.app_context():
        if postgres:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        db.create_all()
        org = Organisation(slug="bench", name_fr="Association", name_ar="جمعية", sender_name="A")
        db.session.add(org)
        db.session.flush()
        now = utcnow().replace(microsecond=0)
        from datetime import timedelta

        event = Event(
            organisation_id=org.id, title_ar="لقاء", title_fr="Rencontre", venue_name="Nador",
            starts_at=now + timedelta(days=10), ends_at=now + timedelta(days=10, hours=4),
            status=EventStatus.PUBLISHED, published_at=now,
            programme=[ProgrammeItem(position=0, title_ar="افتتاح", title_fr="Ouverture")],
        )  # fmt: skip
        db.session.add(event)
        db.session.flush()
        db.session.execute(
            db.insert(Member),
            [
                {
                    "organisation_id": org.id,
                    "full_name": f"عضو {i}" if i % 2 else f"Membre {i}",
                    "email": f"m{i}@example.ma",
                    "locale": ("ar", "fr", "en")[i % 3],
                    "search_text": "",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(n)
            ],
        )
        db.session.commit()
        event_id = event.id

    # ---- end to end: invite (queue) + deliver with the default workers
    start = e2e_start = time.perf_counter()
    with app.app_context():
        from flask_babel import force_locale

        with force_locale("en"):
            result = services.invite(
                db.session.get(Event, event_id), services.Audience(everyone=True), None
            )
        db.session.commit()
    queued_at = time.perf_counter()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        cProfile.runctx("outbox_worker.work(app, once=True)", globals(), locals(), sort="tottime")
    cpu: list[float] = []

    def worker() -> None:  # the default worker loop, timing its own thread's CPU
        started = time.thread_time()
        outbox_worker.work(app, once=True)
        cpu.append(time.thread_time() - started)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wait_for(sink, result.emailed)
    elapsed = time.perf_counter() - start
    delivered = sink.count

    # ---- baseline: plain smtplib, prebuilt messages, one connection
    messages = []
    for i in range(n):
        m = EmailMessage()
        m["From"], m["To"], m["Subject"] = "a@example.ma", f"m{i}@example.ma", "Invitation"
        m.set_content("hello " * 50)
        messages.append(m)
    sink.count = 0
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for m in messages:
            smtp.send_message(m)
    wait_for(sink, n)
    baseline = n / (time.perf_counter() - start)
    del messages

    # ---- the same, with real invitation emails (built beforehand, sent in turn)
    with app.app_context():
        from flask import g

        from core.outbox import OutboxMessage, builder_for
        from core.outbox_delivery import to_bytes

        rows = db.session.scalars(db.select(OutboxMessage).limit(300)).all()
        g._outbox_round = {"messages": rows}
        real = [(r.to_email, to_bytes(r, builder_for(r.kind)(r), "liqaa@localhost", "bench"))
                for r in rows]  # fmt: skip
    size = sum(len(data) for _, data in real) / len(real)
    sink.count = 0
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(n):
            to, data = real[i % len(real)]
            smtp.sendmail("liqaa@localhost", [to], data)
    wait_for(sink, n)
    baseline_real = n / (time.perf_counter() - start)
    if separate:
        sink_process.terminate()
    else:
        controller.stop()

    rate = delivered / elapsed
    print(f"database: {'PostgreSQL' if postgres else 'SQLite'}, workers: {workers}, "
          f"SMTP sink: {'own process' if separate else 'thread of this process'}")  # fmt: skip
    print(f"invitations created and queued in {queued_at - e2e_start:.1f} s")
    print(f"invitations queued and delivered: {delivered}/{n} in {elapsed:.1f} s")
    print(f"end to end: {rate:.0f} messages/s")
    per_message = sum(cpu) / max(delivered, 1) * 1000
    print(f"worker CPU: {sum(cpu):.1f} s ({per_message:.2f} ms per message, all workers)")
    print(f"plain smtplib baseline (prebuilt, one connection): {baseline:.0f} messages/s")
    print(f"ratio: {rate / baseline:.2f} (aim: >= 0.5)")
    print(f"plain smtplib with the real invitation emails ({size / 1024:.1f} KB each, prebuilt): "
          f"{baseline_real:.0f} messages/s, ratio {rate / baseline_real:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
