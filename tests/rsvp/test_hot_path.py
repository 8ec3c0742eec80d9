"""The RSVP rush's hot path: what the invitation page and an accepted answer cost in SQL
statements, and that the cheaper path still reads the event as it is under the lock and
queues one ticket email per accepted person. These guard the figures in
docs/performance.md (bench/rsvp_rush.py)."""

from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa

from blueprints.events.models import Event
from blueprints.rsvp import seats
from blueprints.rsvp.models import Registration, RegistrationConfirmation, RegistrationStatus
from core import audit
from core.outbox import OutboxMessage
from extensions import db
from tests.conftest import csrf_token_from, form_page_token, make_event
from tests.rsvp.conftest import ACCEPT, make_invitation, open_registration, registration_of


@contextmanager
def statements():
    """The SQL statements sent meanwhile (BEGIN/COMMIT and savepoints aside)."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def _tickets(registration_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id)).where(
            OutboxMessage.about("registration", registration_id),
            OutboxMessage.kind == "rsvp_ticket",
        )
    )


def test_the_page_and_an_accepted_answer_cost_5_and_9_statements(client, org, event):
    invitation = make_invitation(org, event, full_name="Karim Benali", locale="fr")
    url = f"/r/{invitation.token}"
    with statements() as read:
        html = client.get(url).get_data(as_text=True)
    # invitation + event + organisation + member in one, the earlier answer, the
    # questions, the co-hosts and the programme of the page
    assert len(read) <= 5, read
    assert not any("FROM member_tag" in s for s in read)
    with statements() as sent:
        response = client.post(url, data={**ACCEPT, "csrf_token": csrf_token_from(html)})
    assert response.status_code == 302
    assert len(sent) <= 9, sent
    writes = [s.split(" (")[0].split(" SET")[0] for s in sent if not s.startswith("SELECT")]
    # the lock (on PostgreSQL a SELECT … FOR UPDATE), the registration written once with
    # its status and ticket, its email in one statement, the invitation's answer time
    lock = ["UPDATE event"] if db.engine.dialect.name == "sqlite" else []
    assert writes == [
        *lock,
        "INSERT INTO registration",
        "INSERT INTO outbox_message",
        "UPDATE invitation",
    ]
    if not lock:
        assert any(s.startswith("SELECT event.") and "FOR UPDATE" in s for s in sent), sent
    registration = registration_of(invitation)
    assert registration.status == RegistrationStatus.ACCEPTED
    assert _tickets(registration.id) == 1


def test_a_second_yes_queues_no_second_ticket(client, org, event):
    invitation = make_invitation(org, event, full_name="Nadia", locale="fr")
    url = f"/r/{invitation.token}"
    for _ in range(2):
        html = client.get(url).get_data(as_text=True)
        client.post(url, data={**ACCEPT, "csrf_token": csrf_token_from(html)})
    registration = registration_of(invitation)
    assert registration.status == RegistrationStatus.ACCEPTED
    assert _tickets(registration.id) == 1
    # the same key again is refused quietly, in one statement
    assert seats.send_ticket(registration, "accepted") is False
    assert _tickets(registration.id) == 1


def test_the_lock_reads_the_event_as_it_is_now(org):
    """Another transaction lowered the capacity after this session loaded the event: the
    lock's single statement brings the new value into the loaded object."""
    event = make_event(org, capacity=10)
    assert event.capacity == 10
    db.session.execute(
        audit.bulk(
            sa.update(Event.__table__).where(Event.__table__.c.id == event.id).values(capacity=3),
            "none: a test changes the row behind the session's back",
        )
    )
    assert event.capacity == 10  # the session does not know yet
    seats.lock_event(event)
    assert event.capacity == 3
    db.session.rollback()


def test_a_full_hall_waitlists_without_a_ticket(client, org):
    event = make_event(org, capacity=1)
    first = make_invitation(org, event, full_name="Amina", locale="fr")
    second = make_invitation(org, event, full_name="Youssef", locale="fr")
    for invitation in (first, second):
        url = f"/r/{invitation.token}"
        html = client.get(url).get_data(as_text=True)
        client.post(url, data={**ACCEPT, "csrf_token": csrf_token_from(html)})
    taken, waiting = registration_of(first), registration_of(second)
    assert taken.status == RegistrationStatus.ACCEPTED and _tickets(taken.id) == 1
    assert waiting.status == RegistrationStatus.WAITLISTED and _tickets(waiting.id) == 0
    assert not waiting.ticket_code_hash


def test_confirming_an_open_registration_costs_10_statements(client, org):
    event = make_event(org, capacity=5)
    open_registration(event)
    url = f"/e/{event.public_id}/register"
    visitor = {"full_name": "Salma", "email": "salma@example.ma", "consent": "y"}
    client.post(url, data={**visitor, "csrf_token": form_page_token(client, url)})
    confirmation = db.session.scalar(sa.select(RegistrationConfirmation))
    url = f"/confirm/{confirmation.token}"
    html = client.get(url).get_data(as_text=True)
    with statements() as sent:
        response = client.post(url, data={"csrf_token": csrf_token_from(html)})
    assert response.status_code == 302
    # the link with its registration and event, the companions, the answers, the lock,
    # the registration as it is now, the link used, the form's settings, the count, the
    # place and the ticket email; nothing read again after the commit
    assert len(sent) <= 10, sent
    registration = db.session.get(Registration, confirmation.registration_id)
    db.session.refresh(registration)
    assert registration.status == RegistrationStatus.ACCEPTED
    assert response.headers["Location"].endswith(f"/t/{registration.ticket_code}")
    assert _tickets(registration.id) == 1
