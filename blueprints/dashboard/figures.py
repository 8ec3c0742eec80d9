"""The figures of the organiser's home: where the next event stands, in one statement."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from blueprints.events.models import Event
from blueprints.followups.models import FollowUp, FollowUpStatus
from blueprints.invitations.models import Invitation
from blueprints.rsvp.models import Registration, RegistrationStatus
from extensions import db


@dataclass(frozen=True)
class EventFigures:
    """Invited, answered (an RSVP given), accepted, arrived, on the waiting list, and the
    follow-ups not yet resolved, for one event."""

    invited: int
    answered: int
    accepted: int
    arrived: int
    waiting: int
    open_followups: int


def _count(model, *conditions) -> sa.ScalarSelect:
    return sa.select(sa.func.count()).select_from(model).where(*conditions).scalar_subquery()


def event_figures(event: Event) -> EventFigures:
    """One SELECT of six counts, whatever the size of the event."""
    registration = (Registration.event_id == event.id,)
    row = db.session.execute(
        sa.select(
            _count(Invitation, Invitation.event_id == event.id),
            _count(
                Invitation, Invitation.event_id == event.id, Invitation.responded_at.is_not(None)
            ),
            _count(Registration, *registration, Registration.status == RegistrationStatus.ACCEPTED),
            _count(
                Registration,
                *registration,
                Registration.status == RegistrationStatus.ACCEPTED,
                Registration.checked_in_at.is_not(None),
            ),
            _count(
                Registration, *registration, Registration.status == RegistrationStatus.WAITLISTED
            ),
            _count(
                FollowUp, FollowUp.event_id == event.id, FollowUp.status != FollowUpStatus.RESOLVED
            ),
        )
    ).one()
    return EventFigures(*(int(value) for value in row))
