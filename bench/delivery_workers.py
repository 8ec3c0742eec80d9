"""Email delivery with 1, 2 and 4 `flask outbox work` processes to a local SMTP sink.

It prepares N invitations (N queued emails) once, then for each worker count puts every
message back in the queue, starts that many `flask outbox work --once` processes (each
drains what is due, then stops), and prints messages per second until the last one
stopped. The sink (aiosmtpd, its own process, as a real mail server would be) writes the
Message-ID of each message it receives and when: each must arrive exactly once per run.
Two rates are printed: with the processes' start-up (importing the app takes seconds on
a loaded machine), and from the first message received to the last (the delivery itself).

    .venv/bin/python bench/delivery_workers.py                     # 5,000 emails, PostgreSQL
    .venv/bin/python bench/delivery_workers.py -n 1000 --workers 1 2 4
    .venv/bin/python bench/delivery_workers.py --database sqlite   # 1 worker is the setup there
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _serve import PRODUCTION, fresh_postgres, outbox_workers, received, start_sink  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/liqaa_bench_delivery"


def prepare(url: str, n: int, port: int) -> None:
    """An organisation, a published event and N members, all invited (N emails queued)."""
    from app import create_app
    from blueprints.events.models import Event, EventStatus
    from blueprints.invitations import services
    from blueprints.members.models import Member
    from blueprints.orgs.models import Organisation
    from core.db import utcnow
    from extensions import db

    app = create_app(env(url, port) | {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        else:
            db.drop_all()
        db.create_all()
        org = Organisation(slug="bench", name_fr="Association", name_ar="جمعية", sender_name="A")
        db.session.add(org)
        db.session.flush()
        now = utcnow().replace(microsecond=0)
        event = Event(
            organisation_id=org.id, title_ar="لقاء", title_fr="Rencontre", venue_name="Nador",
            starts_at=now + timedelta(days=10), ends_at=now + timedelta(days=10, hours=4),
            status=EventStatus.PUBLISHED, published_at=now,
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
                    "locale": "ar" if i % 2 else "fr",
                    "search_text": f"membre {i}",
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(n)
            ],
        )
        services.invite(event, services.Audience(everyone=True), None)
        db.session.commit()
        db.engine.dispose()


def env(url: str, port: int) -> dict:
    return {
        "ENV_NAME": "production",
        **PRODUCTION,
        "OUTBOX_IN_PROCESS_WORKER": False,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
    }


def requeue(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE outbox_message SET state = 'queued', attempts = 0, sent_at = NULL, "
                "lease_until = NULL, message_id = NULL, last_error = ''"
            )
        )
    engine.dispose()


def run_workers(url: str, port: int, count: int) -> float:
    """Start `count` `flask outbox work --once` processes; seconds until the last stops."""
    started = time.monotonic()
    for worker in outbox_workers(url, port, count, once=True):
        worker.wait(600)
    return time.monotonic() - started


def state_counts(url: str) -> dict[str, int]:
    import sqlalchemy as sa

    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT state, count(*) FROM outbox_message GROUP BY state"))
        counts = {state: n for state, n in rows}
    engine.dispose()
    return counts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("-n", type=int, default=5000, help="emails (default 5000)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))
    args = parser.parse_args(argv)

    tmp = tempfile.mkdtemp()
    sink_file = os.path.join(tmp, "received.txt")
    sink, port = start_sink(sink_file)
    if args.database == "postgres":
        url = args.pg_url
        fresh_postgres(url)
    else:
        url = f"sqlite:///{tmp}/delivery.db"
    try:
        print(f"preparing {args.n} invitations ({args.database})…", flush=True)
        prepare(url, args.n, port)
        lines = []
        for count in args.workers:
            requeue(url)
            Path(sink_file).write_bytes(b"")
            seconds = run_workers(url, port, count)
            lines_in = received(sink_file)
            by_id = Counter(mid for mid, _at in lines_in)
            times = sorted(at for _mid, at in lines_in)
            flowing = times[-1] - times[0] if len(times) > 1 else float("nan")
            twice = sum(1 for n in by_id.values() if n > 1)
            states = state_counts(url)
            ok = len(by_id) == args.n and not twice and states.get("sent") == args.n
            lines.append(
                f"{count} worker(s): {args.n} emails in {seconds:.1f} s with start-up = "
                f"{args.n / seconds:.0f}/s; first to last received {flowing:.1f} s = "
                f"{len(times) / flowing:.0f} messages/s; received {sum(by_id.values())} "
                f"({len(by_id)} distinct Message-IDs, {twice} twice); outbox {states} -> "
                f"{'OK, each once' if ok else 'MISMATCH'}"
            )
            print(lines[-1], flush=True)
    finally:
        sink.terminate()
    print("\n== summary (" + args.database + ")")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
