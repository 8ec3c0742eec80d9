"""The answer to a concern respects the person's choice: unsubscribing stops it, and it
carries the unsubscribe link like every email to an invited member."""

from __future__ import annotations

import sqlalchemy as sa

from blueprints.followups import services
from blueprints.followups.models import FollowUpSource, FollowUpStatus
from blueprints.rsvp.models import Registration
from core.outbox import OutboxMessage, OutboxState
from core.outbox_delivery import deliver_due
from extensions import db
from tests.conftest import make_event
from tests.rsvp.conftest import ACCEPT, answer, make_invitation


def _resolved_for(client, org, name, email):
    event = make_event(org, capacity=10)
    invitation = make_invitation(org, event, full_name=name, email=email)
    assert answer(client, invitation, ACCEPT).status_code == 302
    registration = db.session.scalar(
        sa.select(Registration).where(Registration.invitation_id == invitation.id)
    )
    followup = services.record_concern(
        organisation_id=org.id,
        event_id=event.id,
        text="Mon affiliation est bloquée",
        source=FollowUpSource.RSVP,
        registration_id=registration.id,
    )
    services.update_followup(
        followup,
        services.FollowUpChange(FollowUpStatus.RESOLVED, None, "Affiliation", "Réglé."),
    )
    db.session.commit()
    return invitation


def test_the_answer_carries_the_unsubscribe_link(client, org, smtp_server):
    invitation = _resolved_for(client, org, "Karim", "karim@example.ma")
    deliver_due()
    kinds = {
        message.kind: message.state for message in db.session.scalars(sa.select(OutboxMessage))
    }
    assert kinds["followup_resolved"] == OutboxState.SENT
    received = [m for _, _, m in smtp_server.wait_for(2)]
    assert len(received) == 2  # the ticket and the answer
    unsubscribe = f"<http://liqaa.test/u/{invitation.token}>"
    assert all(m["List-Unsubscribe"] == unsubscribe for m in received)


def test_an_answer_queued_before_unsubscribing_does_not_leave(client, org, smtp_server):
    invitation = _resolved_for(client, org, "Nadia", "nadia@example.ma")
    assert client.post(f"/u/{invitation.token}").status_code in (200, 302)
    deliver_due()
    message = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "followup_resolved")
    )
    assert message.state == OutboxState.CANCELLED
