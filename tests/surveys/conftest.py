"""Survey fixtures: an event that has ended, attendees checked in, a survey."""

from __future__ import annotations

from datetime import timedelta

import pytest

from blueprints.rsvp.models import Companion, Registration, RegistrationStatus
from blueprints.surveys import services
from core.db import utcnow
from extensions import db
from tests.conftest import make_event


def make_registration(
    event,
    full_name: str = "Karim Benali",
    *,
    email: str | None = "karim@example.ma",
    locale: str = "fr",
    checked_in: bool = True,
    companions: list[tuple[str, str | None]] = (),
    **fields,
) -> Registration:
    registration = Registration(
        organisation_id=event.organisation_id,
        event_id=event.id,
        status=fields.pop("status", RegistrationStatus.ACCEPTED),
        full_name=full_name,
        email=email,
        locale=locale,
        companions=len(companions),
        checked_in_at=(event.starts_at + timedelta(minutes=5)) if checked_in else None,
        **fields,
    )
    registration.companion_list = [Companion(full_name=n, email=e) for n, e in companions]
    db.session.add(registration)
    db.session.commit()
    return registration


@pytest.fixture
def past_event(org):
    """A meeting that ended one hour ago."""
    return make_event(org, starts_in=timedelta(hours=-5), hours=4)


@pytest.fixture
def survey(past_event):
    created = services.create_survey(past_event)
    db.session.commit()
    return created


def open_survey(survey, now=None):
    services.open_survey(survey, now or utcnow())
    db.session.commit()
    return survey


def question_of(survey, kind):
    return next(q for q in survey.questions if q.kind == kind)
