"""The organiser's home: the next event's figures, each a link, from one statement."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blueprints.dashboard.figures import event_figures
from blueprints.followups.models import FollowUp, FollowUpSource, FollowUpStatus
from blueprints.invitations.models import Invitation
from blueprints.rsvp.models import Registration, RegistrationStatus
from core.db import utcnow
from core.outbox import OutboxMessage, OutboxState
from extensions import db
from tests.conftest import login, make_event, make_member, make_partner

FIGURE = re.compile(r'data-figure="(\w+)" href="([^"]+)"><span class="figure-value">(\d+)<')


def _people(org, event, statuses):
    """One invited member per status (None: invited, no answer yet)."""
    for n, status in enumerate(statuses):
        member = make_member(org, full_name=f"Membre {n}", email=f"m{n}@example.ma")
        invitation = Invitation(organisation_id=org.id, event_id=event.id, member_id=member.id)
        db.session.add(invitation)
        db.session.flush()
        if status is None:
            continue
        invitation.responded_at = utcnow()
        db.session.add(
            Registration(
                organisation_id=org.id,
                event_id=event.id,
                invitation_id=invitation.id,
                member_id=member.id,
                status=status,
                full_name=member.full_name,
                checked_in_at=utcnow() if n == 0 else None,
            )
        )
    db.session.commit()


def _follow_up(org, event, organiser, status):
    db.session.add(
        FollowUp(
            organisation_id=org.id,
            event_id=event.id,
            text="Retard de remboursement",
            source=FollowUpSource.ORGANISER,
            created_by_id=organiser.id,
            status=status,
            resolved_at=utcnow() if status == FollowUpStatus.RESOLVED else None,
        )
    )
    db.session.commit()


def _undelivered(org, event):
    """One invitation email failed for good, another sent."""
    first, second = db.session.scalars(
        sa.select(Invitation).where(Invitation.event_id == event.id).limit(2)
    )
    for invitation, state in ((first, OutboxState.FAILED), (second, OutboxState.SENT)):
        _email(org, f"invitation:{invitation.id}", state, "invitation", invitation.id)
    db.session.commit()


def _email(org, key, state, subject_kind="", subject_id=None):
    kind = key.split(":")[0]
    db.session.add(
        OutboxMessage(organisation_id=org.id, key=key, kind=kind, to_email="m@example.ma",
                      state=state, subject_kind=subject_kind, subject_id=subject_id)
    )  # fmt: skip


@pytest.fixture
def next_event(org):
    later = make_event(org, starts_in=timedelta(days=30), title_fr="Plus tard")
    soon = make_event(org, starts_in=timedelta(days=3), title_fr="Réunion d’information")
    _people(org, later, [RegistrationStatus.ACCEPTED] * 4)  # not the next one: not counted
    return soon


def test_home_shows_where_the_next_event_stands(client, org, organiser, next_event):
    accepted, declined, waiting = (
        RegistrationStatus.ACCEPTED,
        RegistrationStatus.DECLINED,
        RegistrationStatus.WAITLISTED,
    )
    _people(org, next_event, [accepted, accepted, accepted, declined, waiting, None, None])
    _follow_up(org, next_event, organiser, FollowUpStatus.OPEN)
    _follow_up(org, next_event, organiser, FollowUpStatus.IN_PROGRESS)
    _follow_up(org, next_event, organiser, FollowUpStatus.RESOLVED)
    _undelivered(org, next_event)
    login(client, organiser.email)

    html = client.get("/home?lang=fr").get_data(as_text=True)
    figures = {key: (int(value), url) for key, url, value in FIGURE.findall(html)}
    assert {key: value for key, (value, _) in figures.items()} == {
        "invited": 7,
        "answered": 5,
        "accepted": 3,
        "arrived": 1,
        "waiting": 1,
        "followups": 2,
        "undelivered": 1,
    }
    event_id = next_event.id
    assert figures["invited"][1] == f"/events/{event_id}/invitations"
    assert figures["accepted"][1] == f"/events/{event_id}/registrations?status=accepted"
    assert figures["waiting"][1] == f"/events/{event_id}/registrations?status=waitlisted"
    assert figures["arrived"][1] == f"/events/{event_id}/arrivals"
    assert figures["followups"][1] == f"/events/{event_id}/followups"
    assert figures["undelivered"][1] == f"/events/{event_id}/invitations?state=failed"
    assert "Réunion d’information" in html and "Liste d’attente" in html
    for _, url in figures.values():
        assert client.get(url).status_code == 200


def test_figures_are_one_statement_whatever_the_size(app, org, organiser, next_event):
    statements = []

    def count(*args):
        statements.append(args[2])

    _people(org, next_event, [RegistrationStatus.ACCEPTED] * 12)
    db.session.refresh(next_event)
    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        figures = event_figures(next_event)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert figures.invited == 12 and figures.accepted == 12
    assert len(statements) == 1, statements


def test_an_event_with_nobody_invited_says_so(client, org, organiser):
    event = make_event(org, starts_in=timedelta(days=3))
    login(client, organiser.email)
    html = client.get("/home?lang=fr").get_data(as_text=True)
    assert 'id="figures-empty"' in html and 'data-figure="' not in html
    assert f"/events/{event.id}/invitations/new" in html


def test_no_event_coming_up_offers_to_create_one(client, organiser):
    login(client, organiser.email)
    html = client.get("/home?lang=fr").get_data(as_text=True)
    assert 'id="next-event"' not in html
    assert "/events/new" in html


def test_door_staff_see_no_figures(client, door, next_event):
    login(client, door.email)
    html = client.get("/home").get_data(as_text=True)
    assert 'id="next-event"' not in html
    assert "Réunion d’information" in html  # what is coming up, without the figures


def test_open_follow_ups_by_partner_and_department(client, org, organiser, next_event):
    cnss = make_partner(org, "CNSS Nador", name_ar="الضمان الاجتماعي الناظور")
    for department, status in (
        ("Affiliation", FollowUpStatus.OPEN),
        ("Affiliation", FollowUpStatus.NEEDS_DOCUMENTS),
        ("Affiliation", FollowUpStatus.RESOLVED),  # answered: not counted
        ("AMO", FollowUpStatus.IN_PROGRESS),
    ):
        _follow_up(org, next_event, organiser, status)
        followup = db.session.scalar(sa.select(FollowUp).order_by(FollowUp.id.desc()).limit(1))
        followup.partner_id, followup.department = cnss.id, department
    _follow_up(org, next_event, organiser, FollowUpStatus.OPEN)  # nobody assigned yet
    db.session.commit()
    login(client, organiser.email)
    html = client.get("/home?lang=ar").get_data(as_text=True)
    block = html.split('id="concerns-by-department"', 1)[1].split("</ul>", 1)[0]
    rows = [re.sub(r"<[^>]+>", " ", row).split() for row in block.split("<li")[1:]]
    assert [row[-1] for row in rows] == ["2", "1", "1"]  # largest first
    assert "Affiliation" in " ".join(rows[0]) and "الناظور" in " ".join(rows[0])
    assert "AMO" in " ".join(rows[1])  # at equal counts, the unassigned ones come last
    assert "الناظور" not in " ".join(rows[2])


def test_the_latest_survey_response_rate(client, org, organiser):
    from blueprints.surveys.models import Survey, SurveyResponse, SurveyStatus

    past = make_event(org, starts_in=timedelta(days=-10), title_fr="Rencontre passée")
    survey = Survey(organisation_id=org.id, event_id=past.id, status=SurveyStatus.OPEN)
    db.session.add(survey)
    db.session.flush()
    _people(org, past, [RegistrationStatus.ACCEPTED] * 4)
    for registration in db.session.scalars(sa.select(Registration).limit(3)):
        _email(org, f"survey:{survey.id}:invite:{registration.id}", OutboxState.SENT)
    db.session.add(
        SurveyResponse(
            organisation_id=org.id, survey_id=survey.id, answered_on=utcnow().date(), answers={}
        )
    )
    db.session.commit()
    login(client, organiser.email)
    html = client.get("/home?lang=fr").get_data(as_text=True)
    rate = re.search(r'id="survey-rate">([^<]+)<', html).group(1)
    assert rate == "Réponses\u00a0: 1 sur 3 (33\u00a0%)"
    assert "Rencontre passée" in html and f"/events/{past.id}/survey/results" in html
