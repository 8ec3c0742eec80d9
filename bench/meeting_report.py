"""The meeting report of a large meeting: 2,000 registrations, 500 follow-ups, a survey.

.venv/bin/python bench/meeting_report.py [registrations] [followups]

Prints the time to compute the report and to render its page (Arabic), then its PDF, the
press release's PDF and the badges' PDF (those who arrived: two in three), and the peak
memory of the process. Aim: under 5 s and 300 MB for the report and its PDF.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from blueprints.auth.models import User  # noqa: E402
from blueprints.events.models import Event, EventStatus  # noqa: E402
from blueprints.followups.models import FollowUp, FollowUpSource  # noqa: E402
from blueprints.orgs.models import Organisation, Partner  # noqa: E402
from blueprints.rsvp.models import Registration, RegistrationStatus  # noqa: E402
from blueprints.surveys import services as surveys  # noqa: E402
from core.db import utcnow  # noqa: E402
from core.roles import Role  # noqa: E402
from core.tokens import new_token  # noqa: E402
from extensions import db  # noqa: E402

HOSTILE = "<script>alert(1)</script>\u202e" + "x" * 10_000


def main(people: int, concerns: int) -> None:
    folder = tempfile.mkdtemp()
    app = create_app(
        {
            "ENV_NAME": "test",
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
        }
    )
    with app.app_context():
        db.create_all()
        org = Organisation(slug="bench", name_fr="Bench", name_ar="جمعية")
        db.session.add(org)
        db.session.flush()
        partners = [Partner(organisation_id=org.id, name_fr=f"P{i}") for i in range(5)]
        user = User(organisation_id=org.id, email="o@x.example", role=Role.ORGANISER)
        user.set_password("bench password", "pbkdf2:sha256:1")
        db.session.add_all([*partners, user])
        start = utcnow() - timedelta(hours=5)
        event = Event(organisation_id=org.id, title_fr="Rencontre", title_ar="لقاء",
                      starts_at=start, ends_at=start + timedelta(hours=4), capacity=people + 10,
                      status=EventStatus.CLOSED, report_notes=HOSTILE)  # fmt: skip
        db.session.add(event)
        db.session.flush()
        for n in range(people):
            registration = Registration(
                organisation_id=org.id, event_id=event.id, status=RegistrationStatus.ACCEPTED,
                full_name=f"مقاول {n}", email=f"p{n}@example.ma", trade=f"trade {n % 40}",
                checked_in_at=start if n % 3 else None, company=HOSTILE[:60],
            )  # fmt: skip
            registration.ticket_code = new_token()
            db.session.add(registration)
        for n in range(concerns):
            db.session.add(FollowUp(
                organisation_id=org.id, event_id=event.id, text=HOSTILE[:500],
                source=FollowUpSource.SURVEY, partner_id=partners[n % 5].id,
                department=f"D{n % 7}",
            ))  # fmt: skip
        surveys.create_survey(event)
        db.session.commit()
        event_id = event.id

    client = app.test_client()
    client.post("/login", data={"email": "o@x.example", "password": "bench password"})
    times = []
    for _ in range(2):  # the first request also compiles templates and loads catalogues
        began = time.perf_counter()
        response = client.get(f"/events/{event_id}/report?lang=ar")
        times.append(time.perf_counter() - began)
    assert response.status_code == 200, response.status_code
    assert "<script>alert" not in response.get_data(as_text=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{people} registrations, {concerns} follow-ups: report page {times[0]:.2f} s "
          f"(first request), {times[1]:.2f} s (next), "
          f"{len(response.data) / 1024:.0f} KB; peak memory {peak:.0f} MB")  # fmt: skip
    for name, url in (
        ("report PDF", f"/events/{event_id}/report.pdf?lang=ar"),
        ("press release PDF", f"/events/{event_id}/press-release.pdf?lang=ar"),
        ("badges PDF (arrived)", f"/events/{event_id}/badges.pdf?who=arrived"),
    ):
        began = time.perf_counter()
        response = client.get(url)
        took = time.perf_counter() - began
        assert response.status_code == 200 and response.data.startswith(b"%PDF"), name
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{name}: {took:.2f} s, {len(response.data) / 1024:.0f} KB; "
              f"peak memory {peak:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*(args + [2000, 500][len(args) :]))
