"""docs/surveys.md's promises, tried as their words say."""

from __future__ import annotations

import sqlalchemy as sa

from blueprints.surveys import services
from core.outbox import OutboxMessage, OutboxState
from core.outbox_delivery import deliver_due
from extensions import db
from tests.surveys.conftest import make_registration


def _states():
    return sorted(
        db.session.scalars(
            sa.select(OutboxMessage.state).where(OutboxMessage.kind == "survey_invite")
        )
    )


def test_a_closed_survey_can_be_opened_again_and_its_invitations_leave(
    survey, past_event, smtp_server
):
    """ "Close the survey: … invitations still queued are cancelled. It can be opened again.\""""
    for n in range(3):
        make_registration(past_event, f"Personne {n}", email=f"p{n}@example.ma")
    services.open_survey(survey)  # due two hours after the end: still queued
    db.session.commit()
    assert _states() == [OutboxState.QUEUED] * 3
    services.close_survey(survey)
    db.session.commit()
    assert _states() == [OutboxState.CANCELLED] * 3
    services.open_survey(survey)
    services.send_now(survey)
    db.session.commit()
    assert _states() == [OutboxState.QUEUED] * 3
    assert deliver_due() == (3, 0)
    received = {rcpt[0] for _, rcpt, _ in smtp_server.wait_for(3)}
    assert received == {"p0@example.ma", "p1@example.ma", "p2@example.ma"}
