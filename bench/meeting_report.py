"""The meeting report of a large meeting: 2,000 registrations, 500 follow-ups, a survey.

.venv/bin/python bench/meeting_report.py [registrations] [followups]

Prints the time to compute the report and to render its page (Arabic), then its PDF and
the press release's PDF, with the peak memory of the process. Aim: under 5 s and 300 MB
for the report and its PDF.

Then the badges of those who arrived (two in three): the request makes a background job
and returns; an outbox worker in its own process (`work(app, once=True)`, what
`flask outbox work --once` runs) renders the parts and joins them, while this process
reads the job's progress every few seconds. Prints the request's time, the worker's time
and peak memory, and the file's size and pages.
"""

from __future__ import annotations

import io
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

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


def make_app(folder: str):
    return create_app(
        {
            "ENV_NAME": "test",
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
        }
    )


def worker(folder: str) -> None:
    """The outbox worker's process: does what is due (the badge job), then says its peak."""
    from core.outbox_worker import work

    began = time.perf_counter()
    work(make_app(folder), once=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"worker: {time.perf_counter() - began:.1f} s; peak memory {peak:.0f} MB", flush=True)


def badge_job(client, app, event_id: int, folder: str) -> None:
    """The badges of those who arrived, made by a worker in parts; progress read meanwhile."""
    from pypdf import PdfReader

    from blueprints.reports.models import BadgeJob

    began = time.perf_counter()
    response = client.post(f"/events/{event_id}/badges/jobs", data={"who": "arrived"})
    asked = time.perf_counter() - began
    assert response.status_code == 302, response.status_code
    page_url = response.headers["Location"]
    print(f"badges of those who arrived: job made in {asked:.2f} s", flush=True)
    child = subprocess.Popen([sys.executable, __file__, "--worker", folder])
    while child.poll() is None:
        time.sleep(5)
        with app.app_context():
            job = db.session.scalar(sa.select(BadgeJob).order_by(BadgeJob.id.desc()))
            print(f"  progress: {job.done} / {job.total} ({job.percent} %), "
                  f"{time.perf_counter() - began:.0f} s", flush=True)  # fmt: skip
    took = time.perf_counter() - began
    assert child.returncode == 0, child.returncode
    assert "badges.pdf" in client.get(page_url).get_data(as_text=True)
    data = client.get(page_url + "/badges.pdf").data
    pages = len(PdfReader(io.BytesIO(data)).pages)
    print(f"badges job: {took:.1f} s in all, {len(data) / 1024:.0f} KB, {pages} pages")


def main(people: int, concerns: int) -> None:
    folder = tempfile.mkdtemp()
    app = make_app(folder)
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
    ):
        began = time.perf_counter()
        response = client.get(url)
        took = time.perf_counter() - began
        assert response.status_code == 200 and response.data.startswith(b"%PDF"), name
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{name}: {took:.2f} s, {len(response.data) / 1024:.0f} KB; "
              f"peak memory {peak:.0f} MB")  # fmt: skip
    badge_job(client, app, event_id, folder)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2])
    else:
        args = [int(a) for a in sys.argv[1:3]]
        main(*(args + [2000, 500][len(args) :]))
