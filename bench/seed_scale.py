"""A national network's data, built with bulk inserts (issue 16: "Data at scale").

    .venv/bin/python bench/seed_scale.py --factor 1 [--database URL]    # the full size
    .venv/bin/python bench/seed_scale.py --factor 0.01                  # 1 % of it

At factor 1: 30 organisations, 200,000 members (Arabic and Latin names, Moroccan
phones), 600 events, 150,000 invitations, 80,000 registrations with an answer each and a
companion for one in four, 60,000 check-ins, 30,000 survey responses and 10,000
follow-ups. The first organisation ("scale-0") holds 40 % of the members and events: it
is the one bench/pages_at_scale.py signs in to. Nine events in ten are over (the
check-ins, surveys and follow-ups belong to them); the rest are published and upcoming.

Without --database it builds a fresh SQLite file and prints its URL; with a URL the
schema is dropped and created first. `seed(factor)` runs in an app context on the
current database (tests/foundation/test_seed_scale.py), adding to what is there.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FULL = {
    "organisations": 30,
    "members": 200_000,
    "events": 600,
    "invitations": 150_000,
    "registrations": 80_000,
    "checkins": 60_000,
    "responses": 30_000,
    "followups": 10_000,
}
LARGEST_SHARE = 0.4
PASSWORD = "scale-bench-password"
BENCH_SECRET_KEY = "bench-" + "0123456789abcdef" * 4  # bench/checkin_load.py PRODUCTION
CHUNK = 5_000

ARABIC = ["محمد", "فاطمة", "أحمد", "خديجة", "يوسف", "سعاد", "كريم", "نادية", "عبد الله", "أمينة"]
FAMILY = ["الإدريسي", "بنعلي", "العلوي", "الريفي", "التازي", "الفاسي", "بوزيان", "المرابط"]
LATIN = ["Karim", "Nadia", "Élodie", "Omar", "Salma", "Youssef", "Meryem", "Rachid"]
SURNAME = ["Benali", "El Amrani", "Tazi", "Bennani", "Chraïbi", "Ouazzani", "Berrada"]
CITIES = ["Nador", "Oujda", "Fès", "Tanger", "الناظور", "Casablanca", "Agadir"]
TRADES = ["البناء", "النسيج", "Menuiserie", "Commerce", "Transport", "الصناعة التقليدية"]


def sizes(factor: float) -> dict[str, int]:
    counts = {k: max(1, round(v * factor)) for k, v in FULL.items()}
    counts["organisations"] = max(2, counts["organisations"])
    counts["events"] = max(counts["organisations"], counts["events"])
    counts["members"] = max(counts["members"], 4 * counts["organisations"])
    return counts


def _owner_of(index: int, n: int, orgs: int) -> int:
    """Which organisation row `index` of `n` belongs to: the first gets LARGEST_SHARE."""
    if index < n * LARGEST_SHARE:
        return 0
    return 1 + index % (orgs - 1)


def next_ids(model, n: int) -> range:
    import sqlalchemy as sa

    from extensions import db

    start = (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1
    return range(start, start + n)


def advance_sequences() -> None:
    """PostgreSQL: rows written with their own ids leave each table's sequence behind, and
    the next row the app adds (a sample registration for an email preview) would take an
    id already used. Every serial id's sequence moves past the table's largest id."""
    import sqlalchemy as sa

    from extensions import db

    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.begin() as conn:
        for table in db.metadata.sorted_tables:
            if "id" not in table.c or not isinstance(table.c.id.type, sa.Integer):
                continue
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false) "
                f"WHERE pg_get_serial_sequence('{table.name}', 'id') IS NOT NULL"
            )


def insert_rows(model, rows: list[dict]) -> None:
    import sqlalchemy as sa

    from extensions import db

    for i in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(model), rows[i : i + CHUNK])


def add_organisations(count: int) -> list:
    """`count` organisations, slugs scale-0, scale-1… after those already there, each with
    its owner, organiser and door staff (owner@scale-0.example…, password PASSWORD); the
    ORM, flushed: few rows, and passwords to hash."""
    import sqlalchemy as sa

    from blueprints.auth.models import User
    from blueprints.orgs.models import Organisation
    from core.roles import Role
    from extensions import db

    first_org = (db.session.scalar(sa.select(sa.func.max(Organisation.id))) or 0) + 1
    orgs = []
    for i in range(count):
        org = Organisation(
            slug=f"scale-{first_org + i - 1}",
            name_fr=f"Association régionale {i}",
            name_ar=f"جمعية جهوية {i}",
            sender_name=f"Association {i}",
        )
        db.session.add(org)
        orgs.append(org)
    db.session.flush()
    for i, org in enumerate(orgs):
        for role in (Role.OWNER, Role.ORGANISER, Role.DOOR):
            user = User(
                organisation_id=org.id,
                email=f"{role.value}@{org.slug}.example",
                role=role,
                full_name=f"{role.value.title()} {i}",
                locale="fr",
            )
            user.set_password(PASSWORD, "pbkdf2:sha256:1000")
            db.session.add(user)
    db.session.flush()
    return orgs


def member_row(member_id: int, k: int, org_id: int, rng: random.Random, now) -> dict:
    """The columns of the k-th member seeded (Arabic or Latin name, a Moroccan phone), for
    insert_rows."""
    from blueprints.members.models import MemberCategory
    from blueprints.members.text import search_text_for

    if k % 2:
        name = f"{rng.choice(ARABIC)} {rng.choice(FAMILY)}"
    else:
        name = f"{rng.choice(LATIN)} {rng.choice(SURNAME)}"
    email = f"m{member_id}@example.ma"
    phone = f"+2126{member_id:08d}"
    company, city = f"Entreprise {member_id % 5000}", rng.choice(CITIES)
    categories = list(MemberCategory)
    return {
        "id": member_id,
        "organisation_id": org_id,
        "full_name": name,
        "company": company,
        "trade": rng.choice(TRADES),
        "city": city,
        "email": email,
        "phone": phone,
        "locale": "ar" if k % 2 else "fr",
        "category": categories[k % len(categories)],
        "consent_at": now,
        "search_text": search_text_for(name, company, email, phone, city),
    }


def seed(factor: float, rng_seed: int = 16) -> dict[str, int]:
    """Adds the dataset of `factor` to the current database; returns what it wrote."""
    import sqlalchemy as sa

    from blueprints.auth.models import User
    from blueprints.checkin.models import CheckIn, CheckInMethod, CheckInResult
    from blueprints.events.models import Event, EventStatus
    from blueprints.followups.models import FollowUp, FollowUpSource, FollowUpStatus
    from blueprints.invitations.models import Invitation
    from blueprints.members.models import Member, MemberTag
    from blueprints.rsvp.models import (
        Answer,
        Companion,
        Question,
        QuestionKind,
        Registration,
        RegistrationStatus,
    )
    from blueprints.surveys.models import SurveyResponse, SurveyStatus
    from blueprints.surveys.services import create_survey
    from core.db import utcnow
    from core.roles import Role
    from core.tokens import new_token, seal, sha256_hex
    from extensions import db

    rng = random.Random(rng_seed)
    n = sizes(factor)
    now = utcnow().replace(second=0, microsecond=0)

    orgs = add_organisations(n["organisations"])
    door_of = dict(
        db.session.execute(
            sa.select(User.organisation_id, User.id).where(
                User.role == Role.DOOR, User.organisation_id.in_([o.id for o in orgs])
            )
        ).all()
    )

    # members
    member_ids = next_ids(Member, n["members"])
    members_of: dict[int, list[int]] = {o.id: [] for o in orgs}
    rows, tags = [], []
    for k, member_id in enumerate(member_ids):
        org_id = orgs[_owner_of(k, n["members"], len(orgs))].id
        rows.append(member_row(member_id, k, org_id, rng, now))
        if k % 3 == 0:
            tags.append({"member_id": member_id, "tag": rng.choice(["nador", "export", "cnss"])})
        members_of[org_id].append(member_id)
    insert_rows(Member, rows)
    insert_rows(MemberTag, tags)

    # events: four fifths are over, the rest upcoming
    events = []
    for k in range(n["events"]):
        org = orgs[_owner_of(k, n["events"], len(orgs))]
        past = k % 10 != 9
        starts = now + (timedelta(days=-(k % 300) - 1) if past else timedelta(days=k % 60 + 7))
        event = Event(
            organisation_id=org.id,
            title_ar=f"لقاء تواصلي {k}",
            title_fr=f"Rencontre d'information {k}",
            venue_name=rng.choice(CITIES),
            starts_at=starts,
            ends_at=starts + timedelta(hours=4),
            capacity=400,
            max_companions=1,
            status=EventStatus.CLOSED if past else EventStatus.PUBLISHED,
            published_at=starts - timedelta(days=20),
        )
        db.session.add(event)
        events.append(event)
    db.session.flush()
    past_events = [e for e in events if e.status == EventStatus.CLOSED]
    questions = {}
    for event in events:
        question = Question(
            organisation_id=event.organisation_id,
            event_id=event.id,
            kind=QuestionKind.SHORT_TEXT,
            label_fr="Votre question sur la CNSS ?",
            label_ar="سؤالكم حول الضمان الاجتماعي؟",
        )
        db.session.add(question)
        questions[event.id] = question
    surveys = {}
    for event in past_events:
        survey = create_survey(event)
        survey.status = SurveyStatus.CLOSED
        surveys[event.id] = survey
    db.session.flush()

    # invitations and registrations: each event invites members of its organisation
    per_event = _spread(n["invitations"], len(events))
    reg_per_event = _spread(n["registrations"], len(events))
    invitation_ids = iter(next_ids(Invitation, n["invitations"]))
    registration_ids = iter(next_ids(Registration, n["registrations"]))
    invitations, registrations, answers, companions = [], [], [], []
    checkins, by_event = [], {}
    for event, invited, registered in zip(events, per_event, reg_per_event, strict=True):
        pool = members_of[event.organisation_id]
        chosen = rng.sample(pool, min(len(pool), max(invited, registered)))
        is_past = event.status == EventStatus.CLOSED
        for j, member_id in enumerate(chosen):
            invitation_id = next(invitation_ids, None)
            if invitation_id is None:
                break
            token = new_token()
            invitations.append(
                {
                    "id": invitation_id,
                    "organisation_id": event.organisation_id,
                    "event_id": event.id,
                    "member_id": member_id,
                    "token_hash": sha256_hex(token),
                    "token_sealed": seal(token),
                    "responded_at": now if j < registered else None,
                }
            )
            if j >= registered:
                continue
            registration_id = next(registration_ids, None)
            if registration_id is None:
                continue
            code = new_token()
            status = RegistrationStatus.DECLINED if j % 20 == 19 else RegistrationStatus.ACCEPTED
            came = is_past and status == RegistrationStatus.ACCEPTED and j % 10 != 9
            registrations.append(
                {
                    "id": registration_id,
                    "organisation_id": event.organisation_id,
                    "event_id": event.id,
                    "invitation_id": invitation_id,
                    "member_id": member_id,
                    "status": status,
                    "full_name": f"Invité {registration_id}",
                    "email": f"m{member_id}@example.ma",
                    "phone": f"+2126{member_id:08d}",
                    "companions": 1 if j % 4 == 0 else 0,
                    "consent_at": now,
                    "ticket_code_hash": sha256_hex(code),
                    "ticket_code_sealed": seal(code),
                    "ticket_issued_at": now,
                    "checked_in_at": event.starts_at + timedelta(minutes=j % 90) if came else None,
                    "checked_in_door": "A" if came else None,
                }
            )
            answers.append(
                {
                    "organisation_id": event.organisation_id,
                    "registration_id": registration_id,
                    "question_id": questions[event.id].id,
                    "value": rng.choice(["التقاعد", "Affiliation des salariés", "—"]),
                }
            )
            if j % 4 == 0:
                companions.append(
                    {"registration_id": registration_id, "full_name": f"Accompagnant {j}"}
                )
            if came:
                by_event.setdefault(event.id, []).append(registration_id)
                checkins.append(
                    {
                        "organisation_id": event.organisation_id,
                        "event_id": event.id,
                        "registration_id": registration_id,
                        "door": "A",
                        "user_id": door_of[event.organisation_id],
                        "method": CheckInMethod.SCAN,
                        "result": CheckInResult.ADMITTED,
                        "created_at": event.starts_at + timedelta(minutes=j % 90),
                        "answer": {},
                    }
                )
    insert_rows(Invitation, invitations)
    insert_rows(Registration, registrations)
    insert_rows(Answer, answers)
    insert_rows(Companion, companions)
    insert_rows(CheckIn, checkins[: n["checkins"]])

    # survey responses and follow-ups, for the events that are over
    responses, followups = [], []
    past_with_people = [e for e in past_events if by_event.get(e.id)] or past_events
    for k in range(n["responses"]):
        event = past_with_people[k % len(past_with_people)]
        survey = surveys[event.id]
        responses.append(
            {
                "id": new_token(16),
                "organisation_id": event.organisation_id,
                "survey_id": survey.id,
                "answered_on": (event.ends_at + timedelta(days=1)).date(),
                "answers": _survey_answers(survey, rng),
            }
        )
    statuses = list(FollowUpStatus)
    for k in range(n["followups"]):
        event = past_with_people[k % len(past_with_people)]
        people = by_event.get(event.id) or [None]
        status = statuses[k % len(statuses)]
        followups.append(
            {
                "organisation_id": event.organisation_id,
                "event_id": event.id,
                "text": rng.choice(["متى يصرف التعويض؟", "Délai de remboursement AMO ?"]),
                "source": FollowUpSource.SURVEY,
                "registration_id": people[k % len(people)],
                "status": status,
                "resolved_at": now if status == FollowUpStatus.RESOLVED else None,
                "resolution": "Réponse envoyée" if status == FollowUpStatus.RESOLVED else "",
            }
        )
    insert_rows(SurveyResponse, responses)
    insert_rows(FollowUp, followups)
    db.session.commit()
    advance_sequences()
    written = {
        **n,
        "invitations": len(invitations),
        "registrations": len(registrations),
        "checkins": min(len(checkins), n["checkins"]),
    }
    return written


def _spread(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _survey_answers(survey, rng) -> dict:
    from blueprints.surveys.models import QuestionKind

    answers = {}
    for q in survey.questions:
        if q.kind == QuestionKind.RATING:
            answers[str(q.id)] = rng.randint(1, 5)
        elif q.kind == QuestionKind.SCALE:
            answers[str(q.id)] = rng.randint(0, 10)
        elif q.kind == QuestionKind.YES_NO:
            answers[str(q.id)] = rng.random() < 0.8
        elif q.kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT) and rng.random() < 0.2:
            answers[str(q.id)] = "شكرا على التنظيم"
    return answers


def prepared_app(url: str):
    """The app on `url` with an empty schema of the current models."""
    from app import create_app
    from config import TestConfig
    from extensions import db

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    # the key the benches' gunicorn runs with, so that it can unseal the tokens
    config.update(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=BENCH_SECRET_KEY)
    app = create_app(config)
    with app.app_context():
        if url.startswith("postgres"):
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
                conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        else:
            db.drop_all()
        db.create_all()
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=float, default=1.0)
    parser.add_argument("--database", default="")
    args = parser.parse_args()
    url = args.database or f"sqlite:///{tempfile.mkdtemp()}/scale.db"
    app = prepared_app(url)
    start = time.perf_counter()
    with app.app_context():
        written = seed(args.factor)
    took = time.perf_counter() - start
    print(f"factor {args.factor} on {url.split('@')[-1]}: {took:.1f} s")
    for name, count in written.items():
        print(f"  {name:14} {count:>9,}")


if __name__ == "__main__":
    main()
