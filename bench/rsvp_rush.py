"""A rush on the RSVP page: C concurrent people take the places of one event.

For each database (SQLite file, PostgreSQL) it prepares an event with `--capacity` places,
`--invited` invitations and the open registration form, then, with gunicorn (2 workers):

  baseline   a minimal Flask-SQLAlchemy app (bench/rsvp_baseline.py, not the product): lock the
             event row (SELECT … FOR UPDATE; on SQLite the same first write Liqaa makes)
             and insert one registration row, per request (another event of the database)
  invited    each client takes the next invitation link: GET /r/<token> (the form and its
             CSRF cookie), then POST "I will come"
  open form  each client takes the next visitor: GET and POST /e/<id>/register, then
             (once the confirmation emails are queued) GET and POST /confirm/<token>

and prints requests per second and p50/p95/p99 of the POSTs for each, the ratio to the
baseline, the errors, and checks the outcome in the database:

  - places taken exactly = capacity (never more), when more people answered than places;
  - the waiting list in arrival order: nobody is ahead of someone whose POST had finished
    before theirs was sent, and nobody waits while someone who came later holds a place;
  - one ticket email queued per accepted person, none for the waiting list.

    .venv/bin/python bench/rsvp_rush.py                     # full: capacity 1,000, 64 clients
    .venv/bin/python bench/rsvp_rush.py --capacity 100 --invited 150 --open 50 --seconds 30
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _serve import PRODUCTION, Server, add_server_options, on_each_database  # noqa: E402
from rsvp_clients import Phase, Visit, baseline_phase, form_then_post, http, run  # noqa: E402

# --------------------------------------------------------------------------- data


@dataclass
class Prepared:
    org_id: int
    event_id: int
    public_id: str
    baseline_event_id: int
    invitations: list[tuple[int, str]]  # (invitation id, token)


def bench_app(url: str):
    from app import create_app

    return create_app(
        {
            "ENV_NAME": "production",
            **PRODUCTION,
            "SQLALCHEMY_DATABASE_URI": url,
            "OUTBOX_IN_PROCESS_WORKER": False,
        }
    )


def prepare(url: str, capacity: int, invited: int) -> Prepared:
    import sqlalchemy as sa

    from blueprints.events.models import Event, EventStatus
    from blueprints.invitations.models import Invitation
    from blueprints.members.models import Member
    from blueprints.orgs.models import Organisation
    from blueprints.rsvp.models import RsvpSettings
    from core.db import utcnow
    from extensions import db

    app = bench_app(url)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        else:
            db.drop_all()
        db.create_all()
        org = Organisation(slug="rush", name_fr="Rush", name_ar="Rush", sender_name="Rush")
        db.session.add(org)
        db.session.flush()
        start = utcnow() + timedelta(days=7)

        def new_event(title):
            event = Event(
                organisation_id=org.id,
                title_fr=title,
                title_ar=title,
                starts_at=start,
                ends_at=start + timedelta(hours=4),
                capacity=capacity,
                max_companions=0,
                status=EventStatus.PUBLISHED,
            )
            db.session.add(event)
            db.session.flush()
            return event

        event, other = new_event("Rencontre"), new_event("Baseline")
        db.session.add(
            RsvpSettings(organisation_id=org.id, event_id=event.id, open_registration=True)
        )
        members = [
            Member(
                organisation_id=org.id,
                full_name=f"Invité {i}",
                email=f"invite{i}@rush.example",
                locale="fr" if i % 2 else "ar",
            )
            for i in range(invited)
        ]
        db.session.add_all(members)
        db.session.flush()
        invitations = [
            Invitation(organisation_id=org.id, event_id=event.id, member_id=m.id) for m in members
        ]
        db.session.add_all(invitations)
        db.session.flush()
        prepared = Prepared(
            org.id, event.id, event.public_id, other.id, [(i.id, i.token) for i in invitations]
        )
        db.session.commit()
        db.engine.dispose()
    return prepared


def confirmation_tokens(url: str, event_id: int) -> dict[str, str]:
    """email → the token of the confirmation link emailed to each open-form visitor."""
    import sqlalchemy as sa

    from blueprints.rsvp.models import Registration, RegistrationConfirmation
    from extensions import db

    app = bench_app(url)
    with app.app_context():
        rows = db.session.execute(
            sa.select(Registration.email, RegistrationConfirmation)
            .join(RegistrationConfirmation.registration)
            .where(Registration.event_id == event_id)
        ).all()
        tokens = {email: confirmation.token for email, confirmation in rows}
        db.engine.dispose()
    return tokens


# --------------------------------------------------------------------------- the checks


def check(url: str, prepared: Prepared, visits: list[Visit], capacity: int) -> list[str]:
    import sqlalchemy as sa

    engine = sa.create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1)
        if url.startswith("postgresql")
        else url
    )
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT id, invitation_id, email, status, waitlisted_at FROM registration "
                "WHERE event_id = :e"
            ),
            {"e": prepared.event_id},
        ).all()
        tickets = conn.execute(
            sa.text(
                "SELECT subject_id, count(*) FROM outbox_message WHERE kind = 'rsvp_ticket' "
                "GROUP BY subject_id"
            )
        ).all()
    engine.dispose()
    by_key = {v.key: v for v in visits if v.status == 302}
    accepted = [r for r in rows if r.status == "accepted"]
    waiting = sorted(
        (r for r in rows if r.status == "waitlisted"), key=lambda r: (r.waitlisted_at, r.id)
    )

    def visit(r):
        return by_key.get(f"inv:{r.invitation_id}" if r.invitation_id else f"open:{r.email}")

    asked = len(accepted) + len(waiting)
    full = asked >= capacity
    places_ok = len(accepted) == capacity if full else len(accepted) == asked
    lines = [
        f"places: {len(accepted)} accepted of {capacity}, {len(waiting)} on the waiting list, "
        f"{len(by_key)} answers -> "
        + ("OK" if places_ok and len(accepted) <= capacity else "MISMATCH (over-booked?)")
    ]
    # Nobody ahead of someone whose POST had finished before theirs was sent.
    order_faults, latest_sent = 0, float("-inf")
    for r in waiting:
        v = visit(r)
        if v is None:
            continue
        if latest_sent > v.done:
            order_faults += 1
        latest_sent = max(latest_sent, v.sent)
    # Nobody waits while someone who came later holds a place.
    first_waiting_done = min((visit(r).done for r in waiting if visit(r)), default=float("inf"))
    late_accepted = sum(1 for r in accepted if visit(r) and visit(r).sent > first_waiting_done)
    lines.append(
        f"waiting list: {order_faults} out of arrival order, {late_accepted} accepted after "
        f"someone already waiting -> {'OK' if order_faults == late_accepted == 0 else 'MISMATCH'}"
    )
    accepted_ids = {r.id for r in accepted}
    sent_to = {subject: n for subject, n in tickets}
    ticket_ok = set(sent_to) == accepted_ids and all(n == 1 for n in sent_to.values())
    lines.append(
        f"ticket emails: {sum(sent_to.values())} queued for {len(sent_to)} registrations, "
        f"{len(accepted_ids)} accepted -> {'OK, one each' if ticket_ok else 'MISMATCH'}"
    )
    return lines


# --------------------------------------------------------------------------- one database


def bench_database(label: str, url: str, args) -> list[str]:
    print(f"\n== {label}: preparing {args.invited} invitations…", flush=True)
    prepared = prepare(url, args.capacity, args.invited)
    lines = [
        f"{label} (capacity {args.capacity}, {args.invited} invited, {args.open} on the open "
        f"form, {args.clients} clients, at most {args.seconds:.0f} s per phase, "
        f"gunicorn -w {args.workers})"
    ]
    server = Server("rsvp_baseline:baseline_app()", url, args)
    try:
        base = baseline_phase(server, prepared, args)
    finally:
        server.stop()
    lines.append(base.line())
    print(lines[-1], flush=True)

    server = Server("app:create_app()", url, args)
    try:
        # Warm-up, not counted: every worker imports, connects and renders the form once.
        warm = Phase("warm-up")

        async def look(_n):
            await http(server.port, "GET", f"/e/{prepared.public_id}/register")
            warm.requests += 1

        run(warm, args.clients, 5, range(args.clients), look)
        invited = Phase("invited")

        async def answer(person):
            invitation_id, token = person
            fields = {"answer": "accept", "consent": "y"}
            await form_then_post(
                invited, server.port, f"/r/{token}", fields, f"inv:{invitation_id}"
            )

        run(invited, args.clients, args.seconds, prepared.invitations, answer, server)
        lines.append(invited.line())
        print(lines[-1], flush=True)

        visitors = [f"visiteur{i}@rush.example" for i in range(args.open)]
        registering = Phase("open form")

        async def register(email):
            fields = {"full_name": f"Visiteur {email[8:-13]}", "email": email, "consent": "y"}
            path = f"/e/{prepared.public_id}/register"
            await form_then_post(registering, server.port, path, fields, f"form:{email}")

        run(registering, args.clients, args.seconds, visitors, register, server)
        lines.append(registering.line())
        print(lines[-1], flush=True)

        tokens = confirmation_tokens(url, prepared.event_id)
        confirming = Phase("confirm")

        async def confirm(email):
            path = f"/confirm/{tokens[email]}"
            await form_then_post(confirming, server.port, path, {}, f"open:{email}")

        people = [e for e in visitors if e in tokens]
        run(confirming, args.clients, args.seconds, people, confirm, server)
        lines.append(confirming.line())
        print(lines[-1], flush=True)
    finally:
        server.stop()
    taking = invited.posts + confirming.posts
    rate = (len(invited.posts) + len(confirming.posts)) / (invited.seconds + confirming.seconds)
    base_rate = len(base.posts) / base.seconds
    q = statistics.quantiles(taking, n=100, method="inclusive") if len(taking) > 1 else [0] * 99
    errors = invited.errors + registering.errors + confirming.errors
    lines.append(
        f"places taken: {rate:.1f} POSTs/s = {rate / base_rate:.2f}x the baseline "
        f"({base_rate:.1f}/s; aim >= 0.5x), p99 {q[98] * 1000:.0f} ms (aim < 500), "
        f"errors {errors} (aim 0)"
    )
    # The same comparison in server CPU, which the other processes on the machine disturb
    # less: the baseline's CPU per insert over Liqaa's per place (its GET and POST).
    cpu = (invited.server_cpu + confirming.server_cpu) * 1000 / max(len(taking), 1)
    lines.append(
        f"server CPU per place: {cpu:.2f} ms (GET + POST) vs the baseline's "
        f"{base.cpu_per_post():.2f} ms per insert = {base.cpu_per_post() / cpu:.2f}x"
    )
    lines += check(url, prepared, invited.visits + confirming.visits, args.capacity)
    for line in lines[-5:]:
        print(line, flush=True)
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--capacity", type=int, default=1000, help="places (default 1000)")
    parser.add_argument("--invited", type=int, default=1200, help="invitations (default 1200)")
    parser.add_argument("--open", type=int, default=300, help="open-form visitors (default 300)")
    parser.add_argument("--clients", type=int, default=64, help="concurrent clients (default 64)")
    parser.add_argument("--seconds", type=float, default=120.0, help="at most, per phase")
    add_server_options(parser, "liqaa_bench_rush")
    args = parser.parse_args(argv)

    return on_each_database(args, bench_database)


if __name__ == "__main__":
    sys.exit(main())
