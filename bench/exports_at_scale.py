"""Streamed exports of N rows (issue 16: first byte < 1 s, peak memory < 150 MB for 100,000).

    .venv/bin/python bench/exports_at_scale.py [N] [--database URL]    # default 100,000

Writes N members (and N registrations of one event, N check-in log lines of it) with
bulk inserts, then downloads the members, registrations and check-in log exports as CSV
and XLSX through the app (its test client, one process, no server), reading the body
chunk by chunk as a browser would. Prints for each: the time to the first byte, the
total time, the size, and the process's peak resident size so far (seeding included),
or with --tracemalloc the peak of what the export allocated (several times slower).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def fill(n: int) -> tuple[int, str, str]:
    """N members, an event with N registrations and N check-ins; the owner's email."""
    import sqlalchemy as sa

    from blueprints.auth.models import User
    from blueprints.checkin.models import CheckIn, CheckInResult
    from blueprints.events.models import Event
    from blueprints.members.models import Member
    from blueprints.orgs.models import Organisation
    from blueprints.rsvp.models import Registration, RegistrationStatus
    from core.db import utcnow
    from core.roles import Role
    from extensions import db

    org = Organisation(slug="exports", name_fr="Association", name_ar="جمعية")
    db.session.add(org)
    db.session.flush()
    owner = User(organisation_id=org.id, email="owner@exports.example", role=Role.OWNER)
    owner.set_password("exports-bench-password", "pbkdf2:sha256:1000")
    now = utcnow()
    event = Event(
        organisation_id=org.id,
        title_fr="Rencontre",
        starts_at=now,
        ends_at=now + timedelta(hours=4),
    )
    db.session.add_all([owner, event])
    db.session.flush()
    step = 10_000
    for start in range(0, n, step):
        ids = range(start, min(n, start + step))
        db.session.execute(
            sa.insert(Member),
            [
                {
                    "organisation_id": org.id,
                    "full_name": f"محمد بنعلي {i}" if i % 2 else f"Karim Benali {i}",
                    "email": f"m{i}@example.ma",
                    "phone": f"+2126{i:08d}",
                    "company": f"Entreprise {i % 5000}",
                    "search_text": f"benali {i}",
                }
                for i in ids
            ],
        )
        first = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Registration.id), 0)))
        db.session.execute(
            sa.insert(Registration),
            [
                {
                    "organisation_id": org.id,
                    "event_id": event.id,
                    "status": RegistrationStatus.ACCEPTED,
                    "full_name": f"Invité {i}",
                    "email": f"m{i}@example.ma",
                    "checked_in_at": now,
                }
                for i in ids
            ],
        )
        db.session.execute(
            sa.insert(CheckIn),
            [
                {
                    "organisation_id": org.id,
                    "event_id": event.id,
                    "registration_id": first + 1 + k,
                    "result": CheckInResult.ADMITTED,
                    "answer": {},
                }
                for k in range(len(ids))
            ],
        )
    db.session.commit()
    return event.id, owner.email, "exports-bench-password"


def measure(client, url: str, traced: bool) -> tuple[float, float, int, float]:
    """(first byte s, total s, bytes, peak MB) for one download: the peak of Python
    allocations with `traced` (tracemalloc, several times slower), else the process's
    peak resident size so far."""
    if traced:
        tracemalloc.start()
    start = time.perf_counter()
    response = client.get(url, buffered=False)
    first, size = None, 0
    for chunk in response.response:
        if first is None and chunk:
            first = time.perf_counter() - start
        size += len(chunk)
    response.close()
    total = time.perf_counter() - start
    if traced:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    else:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return first or total, total, size, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="?", default=100_000)
    parser.add_argument("--database", default="")
    parser.add_argument("--tracemalloc", action="store_true", help="peak of Python memory")
    args = parser.parse_args()
    from flask.testing import FlaskClient
    from seed_scale import prepared_app

    url = args.database or f"sqlite:///{tempfile.mkdtemp()}/exports.db"
    app = prepared_app(url)
    app.config.update(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        started = time.perf_counter()
        event_id, email, password = fill(args.rows)
        print(f"{args.rows:,} rows of each written in {time.perf_counter() - started:.1f} s")
    client = FlaskClient(app, app.response_class, use_cookies=True)
    client.post("/login", data={"email": email, "password": password})
    print(f"{'export':<34} {'first byte':>10} {'total':>8} {'size':>9} {'peak':>8}")
    for fmt in ("csv", "xlsx"):
        for name, path in (
            ("members", f"/members/export.{fmt}"),
            ("registrations", f"/events/{event_id}/registrations/export.{fmt}"),
            ("check-in log", f"/events/{event_id}/arrivals/export?format={fmt}"),
        ):
            first, total, size, peak = measure(client, path, args.tracemalloc)
            print(
                f"{name + ' ' + fmt:<34} {first:>9.2f}s {total:>7.2f}s "
                f"{size / 2**20:>7.1f}MB {peak:>6.1f}MB"
            )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak resident size (seeding included): {rss:.0f} MB")


if __name__ == "__main__":
    main()
