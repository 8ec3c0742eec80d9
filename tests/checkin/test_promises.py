"""docs/checkin.md's and docs/rsvp.md's promises at the door, tried as their words say."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from blueprints.checkin import admission
from blueprints.checkin import door as door_actions
from blueprints.checkin.models import CheckIn, CheckInMethod
from blueprints.rsvp.models import Registration
from core.roles import Role
from extensions import db
from tests.checkin.conftest import make_registration, open_event_for
from tests.conftest import login, make_user


def test_undo_takes_back_only_an_admission_this_account_made_and_still_current(org, door):
    """ "Undo takes back the last admission made by your account": door admits T, undoes
    it, the owner admits T at another door; the door's Undo must not take that back."""
    event = open_event_for(org)
    ticket = make_registration(event)
    owner = make_user(org, Role.OWNER)
    admission.check_in(event, ticket.ticket_code, "A", by_user=door)
    db.session.commit()
    door_actions.undo_last_admission(event, door)
    db.session.commit()
    assert admission.check_in(event, ticket.ticket_code, "B", by_user=owner)["result"] == (
        "admitted"
    )
    db.session.commit()
    with pytest.raises(door_actions.CheckInError):
        door_actions.undo_last_admission(event, door)
    db.session.rollback()
    db.session.refresh(ticket)
    assert ticket.checked_in_at is not None and ticket.checked_in_door == "B"


def _walk_in(over_capacity=False, name="Nadia El Idrissi"):
    return door_actions.WalkIn(full_name=name, consent=True, over_capacity=over_capacity)


def test_walk_ins_count_against_the_capacity(org, door):
    """ "Accepted people plus their companions never exceed the capacity": a walk-in at a
    full event is refused unless the door chooses to admit over capacity, and that is logged."""
    event = open_event_for(org, capacity=2)
    make_registration(event, "Karim")
    door_actions.walk_in(event, _walk_in(name="Omar"), "A", door)  # the last place
    db.session.commit()
    with force_locale("en"), pytest.raises(door_actions.CheckInError, match="places taken: 2 / 2"):
        door_actions.walk_in(event, _walk_in(), "A", door)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 2
    registration, answer = door_actions.walk_in(event, _walk_in(over_capacity=True), "A", door)
    db.session.commit()
    assert answer["result"] == "admitted" and answer["over_capacity"] is True
    log = db.session.scalar(
        sa.select(CheckIn).where(
            CheckIn.registration_id == registration.id, CheckIn.method == CheckInMethod.WALK_IN
        )
    )
    assert log.answer["over_capacity"] is True


def test_the_door_page_says_when_the_event_is_full(org, as_door):
    event = open_event_for(org, capacity=1)
    make_registration(event, "Karim")
    page = as_door.get(f"/door/events/{event.id}").get_data(as_text=True)
    assert "over_capacity" in page  # the explicit choice is offered
    assert "La rencontre est complète. Places prises\u00a0: 1 / 1." in page


def test_door_staff_read_the_roster_only_while_the_doors_are_open_and_phones_masked(
    app, org, as_door
):
    """Door staff may not read the names, companies and phones of every event: only of
    an event whose doors are open, and the phone only by its last digits unless searched."""
    from datetime import timedelta

    from tests.conftest import make_event

    later = make_event(org, starts_in=timedelta(days=10))
    make_registration(later, "Futur Invité", phone="+212612345678")
    assert as_door.get(f"/api/v1/events/{later.id}/roster").status_code == 403
    assert as_door.get(f"/api/v1/events/{later.id}/search?q=Futur").status_code == 403
    organiser = app.test_client()
    assert login(organiser, make_user(org, Role.ORGANISER).email).status_code == 302
    assert organiser.get(f"/api/v1/events/{later.id}/roster").status_code == 200
    today = open_event_for(org)
    make_registration(today, "Karim Benali", phone="+212612345678")
    (entry,) = as_door.get(f"/api/v1/events/{today.id}/roster").get_json()["entries"]
    assert entry["phone"] == "•••• 5678" and "612345678" not in str(entry)
    (by_name,) = as_door.get(f"/api/v1/events/{today.id}/search?q=Karim").get_json()["results"]
    assert by_name["phone"] == "•••• 5678"
    (by_phone,) = as_door.get(f"/api/v1/events/{today.id}/search?q=0612345678").get_json()[
        "results"
    ]
    assert by_phone["phone"] == "+212612345678"  # the one who typed it may see it


def test_two_phones_on_one_account_admitting_one_ticket_are_a_conflict(org, door):
    """Two people let in on one ticket are always reported, even when both phones are
    signed in with the same door account at the same door (one of them offline)."""
    from blueprints.checkin.models import CheckInConflict

    event = open_event_for(org)
    ticket = make_registration(event)
    admission.check_in(event, ticket.ticket_code, "A", by_user=door, client_id="phone-1")
    db.session.commit()
    again = admission.check_in(
        event, ticket.ticket_code, "A", by_user=door, offline=True, client_id="phone-1"
    )
    db.session.commit()
    assert again["result"] == "already_checked_in"
    assert db.session.scalar(sa.select(sa.func.count(CheckInConflict.id))) == 0  # same phone
    admission.check_in(
        event, ticket.ticket_code, "A", by_user=door, offline=True, client_id="phone-2"
    )
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(CheckInConflict.id))) == 1
