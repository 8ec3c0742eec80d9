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


def _invited_attendee(org, past_event, name, email_address):
    """A member invited, who accepted and came in."""
    from blueprints.rsvp import answers
    from core.db import utcnow
    from tests.rsvp.conftest import make_invitation

    invitation = make_invitation(org, past_event, full_name=name, email=email_address)
    registration = answers.Registration(
        organisation_id=org.id,
        event_id=past_event.id,
        invitation_id=invitation.id,
        member_id=invitation.member_id,
        full_name=name,
        email=email_address,
        locale="fr",
        status=answers.RegistrationStatus.ACCEPTED,
        checked_in_at=utcnow(),
    )
    db.session.add(registration)
    db.session.commit()
    return invitation


def test_unsubscribing_stops_survey_invitations_which_carry_the_unsubscribe_link(
    client, org, survey, past_event, smtp_server
):
    """Law 09-08: /u/<token> means no more email of any kind but what the person asked for;
    every email to a member carries List-Unsubscribe."""
    gone = _invited_attendee(org, past_event, "Parti", "parti@example.ma")
    stays = _invited_attendee(org, past_event, "Reste", "reste@example.ma")
    services.open_survey(survey)
    db.session.commit()
    assert client.post(f"/u/{gone.token}").status_code in (200, 302)  # one-click unsubscribe
    services.send_now(survey)
    db.session.commit()
    deliver_due()
    received = {rcpt[0]: m for _, rcpt, m in smtp_server.wait_for(1)}
    assert set(received) == {"reste@example.ma"}
    assert received["reste@example.ma"]["List-Unsubscribe"] == (
        f"<http://liqaa.test/u/{stays.token}>"
    )
    skipped = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.to_email == "parti@example.ma")
    )
    assert skipped.state == OutboxState.CANCELLED and "unsubscribed" in skipped.last_error
