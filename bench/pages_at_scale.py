"""Every organiser page at a national network's size (issue 16: "Pages and queries").

Seeds the dataset of bench/seed_scale.py (or reuses one with --reuse), starts gunicorn
(2 sync workers, bench/scale_app.py: the product plus a per-request log of server time,
SQL statements and rows returned), signs in as the owner of the largest organisation and
requests every GET route of the route-permission matrix that renders a page or an
export for them, with its objects taken from that organisation (its busiest past event),
plus searches in Arabic and French and page 50 of the member list. Prints per route the
p50/p95 server time, the statements and the rows read, slowest first.

    .venv/bin/python bench/pages_at_scale.py --factor 0.1 --database postgresql://...
    .venv/bin/python bench/pages_at_scale.py --reuse --database postgresql://...  # seeded
    .venv/bin/python bench/pages_at_scale.py --only search --runs 40 ...         # searches

Without --database it uses PostgreSQL at DEFAULT_PG (created afresh). Aims: p95 < 150 ms
for every page, never more than 20 statements; search p95 < 100 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/liqaa_bench_scale"
SEARCHES = ("بنعلي", "محمد الادريسي", "chraibi", "Karim Benali", "entreprise 4217", "0600012")


def world(org_slug: str) -> SimpleNamespace:
    """The objects the matrix's URLs need, from the seeded organisation."""
    import sqlalchemy as sa

    from blueprints.auth.models import User
    from blueprints.checkin.models import CheckInConflict, DoorDevice
    from blueprints.events.models import Event, EventStatus
    from blueprints.followups.models import FollowUp
    from blueprints.invitations.models import Invitation
    from blueprints.members.models import Member
    from blueprints.orgs.models import Organisation, Partner
    from blueprints.rsvp.models import Question, Registration
    from blueprints.surveys.models import Survey, SurveyQuestion
    from core.roles import Role
    from core.tokens import new_token, sha256_hex
    from extensions import db

    org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == org_slug))
    busiest = (
        sa.select(Registration.event_id)
        .join(Event, Event.id == Registration.event_id)
        .where(Event.organisation_id == org.id, Event.status == EventStatus.CLOSED)
        .group_by(Registration.event_id)
        .order_by(sa.func.count().desc())
        .limit(1)
    )
    event = db.session.get(Event, db.session.scalar(busiest))
    w = SimpleNamespace(org=org, event=event)
    w.owner = db.session.scalar(sa.select(User).filter_by(organisation_id=org.id, role=Role.OWNER))
    w.door = db.session.scalar(sa.select(User).filter_by(organisation_id=org.id, role=Role.DOOR))
    w.partner = db.session.scalar(sa.select(Partner).filter_by(organisation_id=org.id))
    if w.partner is None:
        w.partner = Partner(organisation_id=org.id, name_fr="CNSS Nador", name_ar="الضمان")
        db.session.add(w.partner)
    w.device = db.session.scalar(sa.select(DoorDevice).filter_by(event_id=event.id))
    if w.device is None:
        w.device = DoorDevice(
            organisation_id=org.id, event_id=event.id, door="A", token_hash=sha256_hex(new_token())
        )
        db.session.add(w.device)
    db.session.commit()
    w.member = db.session.scalar(sa.select(Member).filter_by(organisation_id=org.id).limit(1))
    w.invitation = db.session.scalar(sa.select(Invitation).filter_by(event_id=event.id).limit(1))
    w.rsvp_invitation = w.invitation
    registration = db.session.scalar(sa.select(Registration).filter_by(event_id=event.id).limit(1))
    w.rsvp_registration, w.ticket_code = registration, registration.ticket_code
    w.rsvp_question = db.session.scalar(sa.select(Question).filter_by(event_id=event.id))
    survey = db.session.scalar(sa.select(Survey).filter_by(event_id=event.id))
    w.survey_question = db.session.scalar(
        sa.select(SurveyQuestion).filter_by(survey_id=survey.id).limit(1)
    )
    w.followup = db.session.scalar(sa.select(FollowUp).filter_by(event_id=event.id).limit(1))
    w.conflict = db.session.scalar(sa.select(CheckInConflict).filter_by(event_id=event.id))
    return w


def urls(app, w) -> list[tuple[str, str]]:
    """(label, URL) for every GET page the owner may see, then the searches and page 50."""
    from flask import url_for

    from tests.access import collect

    routes, _ = collect()
    found, skipped = [], []
    with app.test_request_context():
        for (endpoint, method), specs in sorted(routes.items()):
            if method != "GET" or endpoint == "static":
                continue
            for spec in specs:
                if spec.owner != 200:
                    continue
                try:
                    found.append((endpoint, url_for(endpoint, **spec.params(w))))
                except AttributeError as missing:  # an object the seed does not make
                    skipped.append(f"{endpoint} ({missing})")
        for term in SEARCHES:
            found.append((f"members search {term}", url_for("members.index", q=term)))
        found.append(("members page 50", url_for("members.index", page=50)))
        found.append(("members archived", url_for("members.index", archived=1)))
        found.append(("followups search", url_for("followups.board", q="AMO")))
        found.append(("rsvp.export xlsx", url_for("rsvp.export", event_id=w.event.id, fmt="xlsx")))
    if skipped:
        print("not requested (no such object in the seed): " + ", ".join(skipped))
    return found


def main() -> None:
    import requests
    from _serve import Server, fresh_postgres, sign_in
    from seed_scale import BENCH_SECRET_KEY, PASSWORD, prepared_app, seed

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=float, default=0.01)
    parser.add_argument("--database", default=DEFAULT_PG)
    parser.add_argument("--reuse", action="store_true", help="the database is already seeded")
    parser.add_argument("--runs", type=int, default=10, help="requests per URL")
    parser.add_argument("--only", default="", help="only the URLs whose label contains this")
    parser.add_argument("--skip", default="", help="leave out the URLs whose label has this")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--timeout", type=int, default=60, help="gunicorn's worker timeout (production: 60 s)"
    )
    args = parser.parse_args()
    args.worker_class, args.threads = "sync", 1
    url = args.database
    if args.reuse:
        from app import create_app
        from config import TestConfig

        config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
        config.update(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=BENCH_SECRET_KEY)
        app = create_app(config)
    else:
        if url.startswith("postgresql"):
            fresh_postgres(url)
        app = prepared_app(url)
        with app.app_context():
            started = time.perf_counter()
            seed(args.factor)
            print(f"seeded factor {args.factor} in {time.perf_counter() - started:.0f} s")
    with app.app_context():
        from extensions import db

        if url.startswith("postgresql"):
            with db.engine.begin() as conn:  # committed: the planner's statistics
                conn.exec_driver_sql("ANALYZE")
        w = world("scale-0")
        targets = [
            t for t in urls(app, w) if args.only in t[0] and not (args.skip and args.skip in t[0])
        ]
        owner_email = w.owner.email
        db.engine.dispose()

    log = Path(tempfile.mkdtemp()) / "requests.log"
    os.environ["SCALE_LOG"] = str(log)
    server = Server("scale_app:app", url, args)
    base = f"http://127.0.0.1:{server.port}"
    results = []
    try:
        session = requests.Session()
        sign_in(session, base, owner_email, PASSWORD)
        for label, path in targets:
            for _ in range(2):  # warm both workers' caches
                session.get(base + path, allow_redirects=False)
            log.write_text("")
            statuses = set()
            for _ in range(args.runs):
                statuses.add(session.get(base + path, allow_redirects=False).status_code)
            lines = [line.split("\t") for line in log.read_text().splitlines()]
            times = [float(x[1]) for x in lines]
            q = statistics.quantiles(times, n=20, method="inclusive") if len(times) > 1 else times
            results.append((q[-1], statistics.median(times), label, lines[-1], statuses))
    finally:
        server.stop()
    print(f"{len(results)} URLs, {args.runs} requests each, gunicorn {args.workers} workers")
    print(f"{'p95 ms':>8} {'p50 ms':>8} {'SQL':>4} {'rows':>7}  status  route")
    for p95, p50, label, last, statuses in sorted(results, key=lambda r: r[0], reverse=True):
        status = ",".join(str(s) for s in sorted(statuses))
        print(f"{p95:8.1f} {p50:8.1f} {last[2]:>4} {last[3]:>7}  {status:6}  {label}")
    over = [r[2] for r in results if r[0] >= 150]
    heavy = [r[2] for r in results if int(r[3][2]) > 20]
    print(f"p95 >= 150 ms: {over or 'none'}; > 20 statements: {heavy or 'none'}")
    sent_away = [r[2] for r in results if r[4] - {200, 404}]  # signed out? not measured
    print(f"not answered 200 (redirected or refused, so not measured): {sent_away or 'none'}")


if __name__ == "__main__":
    main()
