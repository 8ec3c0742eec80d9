"""Invitations end to end: N invitations queued and delivered to a local SMTP sink.

    python bench/invite_blast.py [N]          # default 10,000 (env BENCH_INVITES too)
    DATABASE_URL=postgresql://… python bench/invite_blast.py

Prints messages per second end to end (invite -> outbox -> builder -> SMTP), and, in
the same run, plain smtplib sending the same number of prebuilt messages over one
connection to the same sink. The default worker setup is used: one worker on SQLite,
two (`flask outbox work --concurrency 2`) on PostgreSQL.
"""

from __future__ import annotations

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
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.count += 1
        return "250 OK"


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
    sink = Sink()
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
    workers = 2 if postgres else 1

    from blueprints.events.models import Event, EventStatus, ProgrammeItem
    from blueprints.invitations import services
    from blueprints.members.models import Member
    from blueprints.orgs.models import Organisation
    from core import outbox
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

        cProfile.runctx(
            "outbox.work(app, once=True, batch=100)", globals(), locals(), sort="cumtime"
        )
    threads = [
        threading.Thread(target=outbox.work, args=(app,), kwargs={"once": True, "batch": 100})
        for _ in range(workers)
    ]
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
    controller.stop()

    rate = delivered / elapsed
    print(f"database: {'PostgreSQL' if postgres else 'SQLite'}, workers: {workers}")
    print(f"invitations created and queued in {queued_at - e2e_start:.1f} s")
    print(f"invitations queued and delivered: {delivered}/{n} in {elapsed:.1f} s")
    print(f"end to end: {rate:.0f} messages/s")
    print(f"plain smtplib baseline (prebuilt, one connection): {baseline:.0f} messages/s")
    print(f"ratio: {rate / baseline:.2f} (aim: >= 0.5)")


if __name__ == "__main__":
    main()
