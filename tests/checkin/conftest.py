"""Check-in fixtures: an event whose doors are open, and registrations with tickets."""

from __future__ import annotations

from datetime import timedelta

import pytest

from blueprints.members.models import MemberCategory
from blueprints.rsvp.models import Registration, RegistrationStatus
from core.roles import Role
from core.tokens import new_token
from extensions import db
from tests.conftest import make_event, make_org, make_user


def make_registration(
    event,
    full_name: str = "Karim Benali",
    status: RegistrationStatus = RegistrationStatus.ACCEPTED,
    **fields,
) -> Registration:
    registration = Registration(
        organisation_id=event.organisation_id,
        event_id=event.id,
        status=status,
        full_name=full_name,
        company=fields.pop("company", "Atelier Benali"),
        phone=fields.pop("phone", None),
        category=fields.pop("category", MemberCategory.MEMBER),
        companions=fields.pop("companions", 0),
        ticket_code=fields.pop("ticket_code", new_token()),
        **fields,
    )
    db.session.add(registration)
    db.session.commit()
    return registration


def open_event_for(org, **fields):
    """An event that started half an hour ago: its doors are open."""
    return make_event(org, starts_in=timedelta(minutes=-30), **fields)


@pytest.fixture
def event(org):
    return open_event_for(org)


@pytest.fixture
def guest(event):
    return make_registration(event, companions=1)


@pytest.fixture
def other_org(app):
    return make_org("autre", name_fr="Autre association")


@pytest.fixture
def other_door(other_org):
    return make_user(other_org, Role.DOOR)
