"""Follow-up fixtures: an event with a registered entrepreneur."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.db import utcnow
from core.signals import concern_raised
from tests.conftest import make_event
from tests.surveys.conftest import make_registration


@pytest.fixture
def event(org):
    return make_event(org, starts_in=timedelta(hours=-5), hours=4)


@pytest.fixture
def consenting(event):
    """An Arabic-speaking entrepreneur who agreed to be contacted (RSVP consent)."""
    return make_registration(
        event, "يوسف التازي", email="youssef@example.ma", locale="ar", consent_at=utcnow()
    )


def raise_concern(event, text, registration=None, source="rsvp", question="Un problème ?"):
    """What the RSVP form does when a "concern" question is answered."""
    concern_raised.send(
        None,
        organisation_id=event.organisation_id,
        event_id=event.id,
        text=text,
        source=source,
        registration_id=registration.id if registration else None,
        question=question,
    )
