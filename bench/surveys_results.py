"""How long answering and counting take for a large meeting (SQLite file, one process).

.venv/bin/python bench/surveys_results.py [people]
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from blueprints.events.models import Event, EventStatus  # noqa: E402
from blueprints.orgs.models import Organisation  # noqa: E402
from blueprints.rsvp.models import Registration, RegistrationStatus  # noqa: E402
from blueprints.surveys import answering as survey_answering  # noqa: E402
from blueprints.surveys import results as survey_results  # noqa: E402
from blueprints.surveys import services  # noqa: E402
from blueprints.surveys.models import QuestionKind, SurveyInvite  # noqa: E402
from core.db import utcnow  # noqa: E402
from extensions import db  # noqa: E402


def main(people: int) -> None:
    folder = tempfile.mkdtemp()
    app = create_app(
        {
            "ENV_NAME": "test",
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
        }
    )
    with app.app_context(), app.test_request_context():
        db.create_all()
        org = Organisation(slug="bench", name_fr="Bench")
        db.session.add(org)
        db.session.flush()
        start = utcnow() - timedelta(hours=5)
        event = Event(
            organisation_id=org.id,
            title_fr="Rencontre",
            starts_at=start,
            ends_at=start + timedelta(hours=4),
            capacity=people + 10,
            status=EventStatus.PUBLISHED,
        )
        db.session.add(event)
        db.session.flush()
        for n in range(people):
            db.session.add(
                Registration(
                    organisation_id=org.id,
                    event_id=event.id,
                    status=RegistrationStatus.ACCEPTED,
                    full_name=f"P{n}",
                    email=f"p{n}@example.ma",
                    checked_in_at=start,
                )
            )
        survey = services.create_survey(event)
        db.session.commit()
        t0 = time.perf_counter()
        services.open_survey(survey)
        db.session.commit()
        t1 = time.perf_counter()
        rating = next(q for q in survey.questions if q.kind == QuestionKind.RATING)
        invites = db.session.scalars(db.select(SurveyInvite)).all()
        for n, invite in enumerate(invites):
            survey_answering.submit_response(invite, {rating.id: 1 + n % 5})
            db.session.commit()
        t2 = time.perf_counter()
        results = survey_results.compute_results(survey, "fr")
        t3 = time.perf_counter()
        header, rows = survey_results.export_rows(survey, "fr")
        t4 = time.perf_counter()
        print(f"people: {people}")
        print(f"open + schedule (queue {people} invitations): {t1 - t0:.2f} s")
        per = (t2 - t1) / people * 1000
        print(f"submit + commit, one at a time: {per:.1f} ms per response")
        print(f"results for {results.responses} responses: {(t3 - t2) * 1000:.0f} ms")
        print(f"export rows: {(t4 - t3) * 1000:.0f} ms ({len(rows)} rows)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
