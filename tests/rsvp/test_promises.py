"""docs/rsvp.md's promises, each tried as its words say: "accepted people plus their
companions never exceed the capacity", "first come, first served"."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from blueprints.events import services as events
from blueprints.events.models import Event
from blueprints.rsvp.models import RegistrationStatus
from core import audit, i18n
from core.outbox import OutboxMessage, OutboxState
from core.outbox_delivery import deliver_due
from extensions import db
from tests.conftest import make_event
from tests.rsvp.conftest import ACCEPT, answer, make_invitation, registration_of


def _with_capacity(event, capacity: int) -> events.EventData:
    """The event as its edit form would send it back, with another capacity."""
    fields = {name: getattr(event, name) for name in events.EVENT_FIELDS}
    fields.update(
        capacity=capacity,
        starts_at=i18n.to_local(event.starts_at).replace(tzinfo=None),
        ends_at=i18n.to_local(event.ends_at).replace(tzinfo=None),
    )
    return events.EventData(**fields)


@pytest.fixture
def small(org):
    return make_event(org, capacity=2, max_companions=0)


def _accept_people(client, org, event, names):
    invitations = [make_invitation(org, event, full_name=n) for n in names]
    for invitation in invitations:
        assert answer(client, invitation, ACCEPT).status_code == 302
    return invitations


def test_the_capacity_cannot_be_set_below_the_places_taken(client, org, small):
    _accept_people(client, org, small, ["Karim", "Nadia"])
    with (
        force_locale("en"),
        pytest.raises(
            events.EventError,
            match=r"Places already taken \(accepted people and their companions\): 2\.",
        ),
    ):
        events.update_event(small, _with_capacity(small, 1))
    db.session.rollback()
    db.session.refresh(small)
    assert small.capacity == 2


def test_raising_the_capacity_gives_the_places_to_those_waiting_first(client, org, small):
    invitations = _accept_people(client, org, small, ["Karim", "Nadia", "Omar", "Salma"])
    waiting = [registration_of(i) for i in invitations[2:]]
    assert [r.status for r in waiting] == [RegistrationStatus.WAITLISTED] * 2
    events.update_event(small, _with_capacity(small, 3))
    db.session.commit()
    omar, salma = (registration_of(i) for i in invitations[2:])
    assert omar.status == RegistrationStatus.ACCEPTED and omar.ticket_code  # first in line
    assert salma.status == RegistrationStatus.WAITLISTED
    tickets = db.session.scalars(
        sa.select(OutboxMessage.kind).where(OutboxMessage.about("registration", omar.id))
    ).all()
    assert "rsvp_ticket" in tickets  # with the ticket email


def test_a_new_answer_joins_the_queue_when_people_are_waiting(client, org, small):
    invitations = _accept_people(client, org, small, ["Karim", "Nadia", "Omar"])
    assert registration_of(invitations[2]).status == RegistrationStatus.WAITLISTED
    # A place appears without anyone being moved up yet (here: written straight to the
    # table); the next answer must not jump the queue.
    raised = sa.update(Event).where(Event.id == small.id).values(capacity=3)
    db.session.execute(audit.bulk(raised, "none: the test's own setup"))
    db.session.commit()
    late = _accept_people(client, org, small, ["Youssef"])[0]
    assert registration_of(invitations[2]).status == RegistrationStatus.ACCEPTED
    assert registration_of(late).status == RegistrationStatus.WAITLISTED


def test_a_cancelled_event_sends_no_more_tickets_and_its_calendar_entry_is_cancelled(
    client, org, small, smtp_server
):
    """After an event is cancelled, its queued ticket emails do not go out ("Your ticket:
    …" for a meeting that will not take place), and the ticket's .ics cancels the entry."""
    (invitation,) = _accept_people(client, org, small, ["Karim"])
    ticket = registration_of(invitation)
    events.cancel(small)
    db.session.commit()
    deliver_due()
    kinds = {m["Subject"] for _, _, m in smtp_server.messages}
    assert not any("ticket" in k.lower() or "billet" in k.lower() for k in kinds), kinds
    message = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "rsvp_ticket"))
    assert message.state == OutboxState.CANCELLED
    ics = client.get(f"/t/{ticket.ticket_code}/event.ics").get_data(as_text=True)
    assert "STATUS:CANCELLED" in ics and "METHOD:CANCEL" in ics


def test_the_ticket_email_to_a_member_carries_the_unsubscribe_link(client, org, small, smtp_server):
    (invitation,) = _accept_people(client, org, small, ["Karim"])
    assert deliver_due() == (1, 0)
    ((_, _, ticket),) = smtp_server.wait_for(1)
    assert ticket["List-Unsubscribe"] == f"<http://liqaa.test/u/{invitation.token}>"
    assert ticket["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_answering_again_after_the_ticket_was_revoked_says_so(client, org, small):
    from blueprints.rsvp import seats

    (invitation,) = _accept_people(client, org, small, ["Karim"])
    seats.revoke_ticket(registration_of(invitation))
    db.session.commit()
    again = answer(client, invitation, ACCEPT)
    assert again.status_code == 302 and f"/r/{invitation.token}" in again.location
    page = client.get(again.location).get_data(as_text=True)
    assert "retir" in page or "withdrawn" in page or "سحب" in page
    assert registration_of(invitation).ticket_code is None  # not given back by itself
