"""RSVP fixtures: invitations, questions, registrations, and a helper that answers."""

from __future__ import annotations

import pytest

from blueprints.invitations.models import Invitation
from blueprints.rsvp.models import Question, QuestionKind, Registration, RsvpSettings
from extensions import db
from tests.conftest import csrf_token_from, make_event, make_member


def make_invitation(org, event, member=None, **member_fields) -> Invitation:
    member = member or make_member(org, **member_fields)
    invitation = Invitation(organisation_id=org.id, event_id=event.id, member_id=member.id)
    db.session.add(invitation)
    db.session.commit()
    return invitation


def make_question(event, kind=QuestionKind.SHORT_TEXT, **fields) -> Question:
    question = Question(
        organisation_id=event.organisation_id,
        event_id=event.id,
        kind=kind,
        position=fields.pop("position", 0),
        label_ar=fields.pop("label_ar", "سؤال"),
        label_fr=fields.pop("label_fr", "Question"),
        **fields,
    )
    db.session.add(question)
    db.session.commit()
    return question


def open_registration(event, requires_approval=False) -> RsvpSettings:
    settings = RsvpSettings(
        organisation_id=event.organisation_id,
        event_id=event.id,
        open_registration=True,
        requires_approval=requires_approval,
    )
    db.session.add(settings)
    db.session.commit()
    return settings


def registration_of(invitation) -> Registration | None:
    db.session.expire_all()
    return db.session.scalar(
        db.select(Registration).where(Registration.invitation_id == invitation.id)
    )


def answer(client, invitation, data: dict, expect_token=True):
    """GET the RSVP page, then POST `data` with its CSRF token."""
    url = f"/r/{invitation.token}"
    html = client.get(url).get_data(as_text=True)
    body = dict(data)
    if expect_token:
        body["csrf_token"] = csrf_token_from(html)
    return client.post(url, data=body)


ACCEPT = {"answer": "accept", "consent": "y"}
DECLINE = {"answer": "decline"}


@pytest.fixture
def event(org):
    return make_event(org, capacity=10, max_companions=2)


@pytest.fixture
def invitation(org, event):
    return make_invitation(org, event, full_name="Karim Benali", locale="fr")
