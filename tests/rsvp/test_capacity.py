"""Capacity is never exceeded, the waiting list moves in order, promotions get tickets."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from blueprints.rsvp import answers, seats
from blueprints.rsvp.models import Registration, RegistrationStatus
from core.outbox import OutboxMessage, OutboxState
from extensions import db
from tests.conftest import csrf_token_from, is_postgres, make_event, make_member
from tests.rsvp.conftest import ACCEPT, DECLINE, answer, make_invitation, registration_of


def _accept(invitation, companions=()):
    data = answers.RsvpData(
        accept=True, locale="fr", companion_names=list(companions), consent=True
    )
    registration = answers.respond(invitation, data)
    db.session.commit()
    return registration


def test_over_capacity_goes_to_the_waiting_list_with_its_position(client, org):
    event = make_event(org, capacity=3, max_companions=2)
    first = make_invitation(org, event)
    second = make_invitation(org, event)
    third = make_invitation(org, event)
    answer(client, first, {**ACCEPT, "companions-0": "Ami"})  # 2 places
    answer(client, second, {**ACCEPT, "companions-0": "A", "companions-1": "B"})  # 3: no room
    answer(client, third, ACCEPT)  # 1: fits
    assert registration_of(first).status == RegistrationStatus.ACCEPTED
    assert registration_of(second).status == RegistrationStatus.WAITLISTED
    assert registration_of(second).ticket_code is None
    assert registration_of(third).status == RegistrationStatus.ACCEPTED
    assert seats.accepted_seats(event.id) == 3
    html = client.get(f"/r/{second.token}").get_data(as_text=True)
    assert "numéro 1 sur la liste d’attente" in html
    assert seats.waitlist_position(registration_of(second)) == 1


def test_a_decline_promotes_the_first_who_fits_and_emails_the_ticket(app, org, smtp_server):
    event = make_event(org, capacity=2, max_companions=1)
    a, b, c = (make_invitation(org, event) for _ in range(3))
    _accept(a, ["Compagnon"])  # 2: full
    _accept(b)  # waiting 1
    _accept(c)  # waiting 2
    assert registration_of(b).status == RegistrationStatus.WAITLISTED
    assert seats.waitlist_position(registration_of(c)) == 2
    answers.respond(a, answers.RsvpData(accept=False, locale="fr"))
    db.session.commit()
    assert registration_of(b).status == RegistrationStatus.ACCEPTED
    assert registration_of(c).status == RegistrationStatus.ACCEPTED  # 2 places freed
    kinds = db.session.scalars(
        sa.select(OutboxMessage.kind).where(
            OutboxMessage.about("registration", registration_of(b).id)
        )
    ).all()
    assert "rsvp_ticket" in kinds and "rsvp_waitlisted" in kinds
    from core.outbox_delivery import deliver_due

    deliver_due()
    subjects = [m.get("Subject") for _, _, m in smtp_server.wait_for(4)]
    assert sorted(s.split(":")[0].strip() for s in subjects) == sorted(
        ["Votre billet", "Votre billet", "Liste d’attente", "Liste d’attente"]
    )
    first = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.about("registration", registration_of(a).id))
    )
    assert first.state == OutboxState.CANCELLED  # a's ticket never left with a dead code


def test_cancel_from_the_ticket_page_frees_the_place(client, org):
    event = make_event(org, capacity=1, max_companions=0)
    a, b = make_invitation(org, event), make_invitation(org, event)
    answer(client, a, ACCEPT)
    answer(client, b, ACCEPT)
    code = registration_of(a).ticket_code
    html = client.get(f"/t/{code}").get_data(as_text=True)
    response = client.post(f"/t/{code}/cancel", data={"csrf_token": csrf_token_from(html)})
    assert response.status_code == 302
    assert registration_of(a).status == RegistrationStatus.CANCELLED
    assert registration_of(b).status == RegistrationStatus.ACCEPTED
    assert client.get(f"/t/{code}").status_code == 410
    assert client.post(f"/t/{registration_of(b).ticket_code}/cancel").status_code == 400  # CSRF


def test_more_companions_than_places_left_is_refused_and_keeps_the_old_answer(client, org):
    event = make_event(org, capacity=3, max_companions=2)
    a, b = make_invitation(org, event), make_invitation(org, event)
    answer(client, a, ACCEPT)
    answer(client, b, ACCEPT)
    response = answer(client, a, {**ACCEPT, "companions-0": "X", "companions-1": "Y"})
    assert response.status_code == 200
    assert registration_of(a).companions == 0
    assert registration_of(a).status == RegistrationStatus.ACCEPTED
    answer(client, a, {**ACCEPT, "companions-0": "X"})
    assert registration_of(a).companions == 1
    assert seats.accepted_seats(event.id) == 3


def test_waitlisted_person_who_declines_leaves_the_list(client, org):
    event = make_event(org, capacity=1, max_companions=0)
    a, b = make_invitation(org, event), make_invitation(org, event)
    answer(client, a, ACCEPT)
    answer(client, b, ACCEPT)
    answer(client, b, DECLINE)
    assert registration_of(b).status == RegistrationStatus.DECLINED
    assert registration_of(b).waitlisted_at is None


def test_concurrent_answers_never_exceed_the_capacity(app, org):
    """Many invitees accept at the same moment, each in its own thread, session, transaction."""
    capacity, people = 7, 16
    event = make_event(org, capacity=capacity, max_companions=1)
    tokens = []
    for i in range(people):
        member = make_member(org, full_name=f"Invité {i}")
        tokens.append(make_invitation(org, event, member=member).id)
    barrier = threading.Barrier(people)
    errors = []

    def accept(invitation_id, with_companion):
        with app.app_context():
            from blueprints.invitations.models import Invitation

            try:
                names = ["Compagnon"] if with_companion else []
                barrier.wait(timeout=30)  # then all at once (connections come from the pool)
                invitation = db.session.get(Invitation, invitation_id)
                answers.respond(
                    invitation,
                    answers.RsvpData(accept=True, locale="ar", companion_names=names, consent=True),
                )
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - collected and asserted below
                db.session.rollback()
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=accept, args=(invitation_id, i % 2 == 0))
        for i, invitation_id in enumerate(tokens)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    db.session.expire_all()
    rows = db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event.id)
    ).all()
    assert len(rows) == people
    seats = sum(r.seats for r in rows if r.status == RegistrationStatus.ACCEPTED)
    assert seats <= capacity
    assert seats >= capacity - 1  # the hall was filled, not left half empty
    assert all(
        r.status in (RegistrationStatus.ACCEPTED, RegistrationStatus.WAITLISTED) for r in rows
    )
    codes = [r.ticket_code for r in rows if r.ticket_code]
    assert (
        len(codes) == len(set(codes)) == sum(r.status == RegistrationStatus.ACCEPTED for r in rows)
    )
    print(f"{'PostgreSQL' if is_postgres() else 'SQLite'}: {seats}/{capacity} seats taken")


def test_concurrent_declines_promote_without_overbooking(app, org):
    event = make_event(org, capacity=4, max_companions=0)
    invitations = [make_invitation(org, event) for _ in range(10)]
    for invitation in invitations:
        _accept(invitation)
    ids = [i.id for i in invitations[:4]]  # the four accepted ones decline together
    barrier = threading.Barrier(len(ids))
    errors = []

    def decline(invitation_id):
        with app.app_context():
            from blueprints.invitations.models import Invitation

            try:
                barrier.wait(timeout=30)
                invitation = db.session.get(Invitation, invitation_id)
                answers.respond(invitation, answers.RsvpData(accept=False, locale="fr"))
                db.session.commit()
            except Exception as error:  # noqa: BLE001
                db.session.rollback()
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=decline, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    db.session.expire_all()
    assert seats.accepted_seats(event.id) == 4
    statuses = [registration_of(i).status for i in invitations[4:]]
    assert statuses == [RegistrationStatus.ACCEPTED] * 4 + [RegistrationStatus.WAITLISTED] * 2
