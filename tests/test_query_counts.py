"""No page runs a query per row: every GET route of the permission matrix, requested by
the organisation's owner, counts its SQL statements with a small dataset at two sizes.

A count that grows with the number of members, invitations, registrations, check-ins,
survey answers or events is an N+1 (a lazy relationship read in a loop); a page above
MAX_STATEMENTS does too much whatever the size. See docs/performance.md.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import sqlalchemy as sa
from flask import url_for

from blueprints.checkin.models import CheckIn, CheckInResult, RefusalReason
from blueprints.followups.models import FollowUp, FollowUpSource
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
from blueprints.surveys import services as surveys
from blueprints.surveys.models import SurveyResponse, SurveyStatus
from core.db import utcnow
from core.text import fold
from core.tokens import new_token
from extensions import db
from tests.access import collect, make_world
from tests.conftest import _truncate_all, login, make_event

ROUTES, _ = collect()
MAX_STATEMENTS = 20
# Pages allowed more, with the reason; their count must still not grow with the data.
MORE_ALLOWED = {
    # the meeting report: a dozen independent figures (attendance by category, trade,
    # city, first-time members, concerns by partner, the survey summary), one grouped
    # query each
    "reports.report": 30,
    "reports.report_pdf": 30,
    # the press release's draft is written from the same figures as the report
    "press.edit": 30,
    "press.as_pdf": 30,
    "press.as_docx": 30,
    "press.as_text": 30,
}
SMALL = (3, 2)  # rows of each kind per event, events
LARGE = (30, 6)
# each registration is admitted, then scanned again with a refusal
SCANS = ((CheckInResult.ADMITTED, None), (CheckInResult.NOT_VALID, RefusalReason.REVOKED))


def _get_routes():
    for (endpoint, method), specs in sorted(ROUTES.items()):
        if method != "GET" or endpoint == "static":
            continue
        for index, spec in enumerate(specs):
            if spec.owner == 200:
                yield endpoint, index, spec


_serial = itertools.count(1)


def _grow(w, rows: int, events: int) -> None:
    """`rows` members, invitations, registrations (with an answer and a companion),
    check-ins, survey answers and follow-ups for the world's event and events - 1 more."""
    org = w.org
    all_events = [w.event] + [
        make_event(org, starts_in=timedelta(days=-i - 1), hours=2) for i in range(events - 1)
    ]
    for event in all_events:
        question = Question(
            organisation_id=org.id, event_id=event.id, kind=QuestionKind.SHORT_TEXT, label_fr="Q"
        )
        survey = surveys.create_survey(event)  # the matrix world already has one
        survey.status = SurveyStatus.OPEN
        db.session.add(question)
        db.session.flush()
        for _ in range(rows):
            n = next(_serial)
            member = Member(
                organisation_id=org.id,
                full_name=f"Membre {n} بنعلي",
                email=f"m{n}@example.ma",
                phone=f"+2126613{n:05d}",
                locale="fr",
                tags=[MemberTag(tag="nador")],
            )
            member.search_text = fold(f"{member.full_name} {member.email}")
            db.session.add(member)
            db.session.flush()
            invitation = Invitation(organisation_id=org.id, event_id=event.id, member_id=member.id)
            db.session.add(invitation)
            db.session.flush()
            registration = Registration(
                organisation_id=org.id,
                event_id=event.id,
                invitation_id=invitation.id,
                member_id=member.id,
                status=RegistrationStatus.ACCEPTED,
                full_name=member.full_name,
                email=member.email,
                ticket_code=new_token(),
                companions=1,
                checked_in_at=utcnow(),
                checked_in_door="A",
            )
            registration.companion_list = [Companion(full_name=f"Accompagnant {n}")]
            db.session.add(registration)
            db.session.flush()
            db.session.add_all(
                [
                    Answer(
                        organisation_id=org.id,
                        registration_id=registration.id,
                        question_id=question.id,
                        value="oui",
                    ),
                    *(
                        CheckIn(
                            organisation_id=org.id,
                            event_id=event.id,
                            registration_id=registration.id,
                            user_id=w.door.id,
                            result=result,
                            reason=reason,
                            answer={},
                        )
                        for result, reason in SCANS
                    ),
                    SurveyResponse(
                        organisation_id=org.id,
                        survey_id=survey.id,
                        answered_on=utcnow().date(),
                        answers={str(q.id): 5 for q in survey.questions[:1]},
                    ),
                    FollowUp(
                        organisation_id=org.id,
                        event_id=event.id,
                        text=f"Question {n}",
                        source=FollowUpSource.SURVEY,
                        registration_id=registration.id,
                        partner_id=w.partner.id,
                        created_by_id=w.organiser.id,
                    ),
                ]
            )
    db.session.commit()


def _counts(app, rows: int, events: int) -> dict[str, int]:
    w = make_world()
    _grow(w, rows, events)
    client = app.test_client()
    assert login(client, w.owner.email).status_code == 302
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    counts = {}
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        for endpoint, index, spec in _get_routes():
            with app.test_request_context():
                url = url_for(endpoint, **spec.params(w))
            statements.clear()
            response = client.get(url)
            response.get_data()  # a streamed export runs its queries while it is read
            assert response.status_code == 200, url
            counts[f"{endpoint} {index}"] = len(statements)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    db.session.remove()
    _truncate_all()
    return counts


def test_no_page_runs_a_query_per_row(matrix_app):
    small = _counts(matrix_app, *SMALL)
    large = _counts(matrix_app, *LARGE)
    grows = {r: (small[r], large[r]) for r in small if large[r] > small[r]}
    assert not grows, f"statements grow with the data (N+1), {SMALL} → {LARGE}: {grows}"
    heavy = {r: n for r, n in large.items() if n > MORE_ALLOWED.get(r.split()[0], MAX_STATEMENTS)}
    assert not heavy, f"more than {MAX_STATEMENTS} statements: {heavy}"
    assert len(small) > 30  # every page of the matrix was requested
