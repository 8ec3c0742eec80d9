"""The report's attendance figures, each counted on a meeting where every kind is present:
invited, answered an invitation, accepted, arrived, walked in, came back from an earlier
meeting, and the arrivals by category. One pass over the registrations gives them."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from blueprints.invitations.models import Invitation
from blueprints.members.models import MemberCategory
from blueprints.reports import services
from blueprints.rsvp.models import RegistrationSource, RegistrationStatus
from extensions import db
from tests.conftest import make_event, make_member
from tests.surveys.conftest import make_registration


def _invite(event, member) -> Invitation:
    invitation = Invitation(organisation_id=event.organisation_id, event_id=event.id)
    invitation.member_id = member.id
    db.session.add(invitation)
    db.session.commit()
    return invitation


def test_every_attendance_figure_on_a_meeting_with_every_kind(org):
    earlier = make_event(org, starts_in=timedelta(days=-60))
    event = make_event(org, starts_in=timedelta(days=-1))
    later = make_event(org, starts_in=timedelta(days=30))
    karim, amina, omar, salma = (
        make_member(org, name) for name in ("Karim", "Amina", "Omar", "Salma")
    )
    # Karim and Amina came to the earlier meeting; Omar only registered for it.
    make_registration(earlier, "Karim", member_id=karim.id)
    make_registration(earlier, "Amina", member_id=amina.id)
    make_registration(earlier, "Omar", member_id=omar.id, checked_in=False)
    # The meeting: four invited; Karim (came back), Omar (first time) and Salma answered.
    invitations = {m.id: _invite(event, m) for m in (karim, amina, omar, salma)}
    for member, arrived in ((karim, True), (omar, True), (salma, False)):
        make_registration(
            event,
            member.full_name,
            member_id=member.id,
            invitation_id=invitations[member.id].id,
            checked_in=arrived,
        )
    make_registration(  # declined her invitation: answered, not accepted
        event,
        "Amina",
        member_id=amina.id,
        invitation_id=invitations[amina.id].id,
        status=RegistrationStatus.DECLINED,
        checked_in=False,
    )
    make_registration(event, "Visiteur", source=RegistrationSource.OPEN_FORM, checked_in=False)
    make_registration(  # a walk-in, a guest, arrived
        event, "Passant", source=RegistrationSource.WALK_IN, category=MemberCategory.GUEST
    )
    make_registration(later, "Karim", member_id=karim.id)  # a later arrival is not "earlier"

    a = services.attendance(event)

    assert (a.invited, a.answered, a.accepted) == (4, 4, 5)
    assert (a.arrived, a.walk_ins) == (3, 1)
    assert (a.returning, a.first_time) == (1, 2)  # Karim came back; Omar and the walk-in
    assert dict(a.by_category) == {MemberCategory.MEMBER: 2, MemberCategory.GUEST: 1}
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 4


def test_the_figures_are_one_query_over_the_registrations(org, app):
    event = make_event(org, starts_in=timedelta(days=-1))
    for i in range(5):
        make_registration(event, f"Invité {i}", checked_in=i % 2 == 0)
    seen = []

    def record(conn, cursor, statement, *args):
        if "FROM registration" in statement:
            seen.append(" ".join(statement.split()))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        a = services.attendance(event)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert (a.accepted, a.arrived) == (5, 3)
    # the pass by status, then the three breakdowns of the arrivals: not one query a figure
    assert len(seen) == 4, seen
