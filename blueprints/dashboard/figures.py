"""The figures of the organiser's home: where the next event stands (one statement), the
follow-ups still open by partner and department, and how the latest survey is answered."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from blueprints.events.models import Event
from blueprints.followups.models import FollowUp, FollowUpStatus
from blueprints.invitations.models import Invitation
from blueprints.orgs.models import Partner
from blueprints.rsvp.models import Registration, RegistrationStatus
from blueprints.surveys.models import Survey, SurveyResponse, SurveyStatus
from blueprints.surveys.results import sent_count
from core.outbox import OutboxMessage, OutboxState
from extensions import db


@dataclass(frozen=True)
class EventFigures:
    """Invited, answered (an RSVP given), accepted, arrived, on the waiting list, the
    follow-ups not yet resolved and the invitation emails that could not be delivered, for
    one event."""

    invited: int
    answered: int
    accepted: int
    arrived: int
    waiting: int
    open_followups: int
    undelivered: int


def _count(model, *conditions) -> sa.ScalarSelect:
    return sa.select(sa.func.count()).select_from(model).where(*conditions).scalar_subquery()


def event_figures(event: Event) -> EventFigures:
    """One SELECT of seven counts, whatever the size of the event."""
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
            _count(
                OutboxMessage,
                OutboxMessage.about(
                    "invitation", sa.select(Invitation.id).where(Invitation.event_id == event.id)
                ),
                OutboxMessage.state == OutboxState.FAILED,
            ),
        )
    ).one()
    return EventFigures(*(int(value) for value in row))


@dataclass(frozen=True)
class OpenConcerns:
    """Follow-ups not yet resolved, for one partner (None: not assigned) and department."""

    partner: Partner | None
    department: str
    count: int


def open_by_department(organisation_id: int, limit: int = 6) -> list[OpenConcerns]:
    """The organisation's open follow-ups grouped by who must answer, largest first."""
    count = sa.func.count(FollowUp.id)
    rows = db.session.execute(
        sa.select(FollowUp.partner_id, FollowUp.department, count)
        .where(
            FollowUp.organisation_id == organisation_id,
            FollowUp.status != FollowUpStatus.RESOLVED,
        )
        .group_by(FollowUp.partner_id, FollowUp.department)
        .order_by(
            count.desc(), FollowUp.partner_id.is_(None), FollowUp.partner_id, FollowUp.department
        )
        .limit(limit)
    ).all()
    ids = {partner_id for partner_id, _d, _n in rows if partner_id}
    partners = {p.id: p for p in db.session.scalars(sa.select(Partner).where(Partner.id.in_(ids)))}
    return [OpenConcerns(partners.get(pid), dept or "", int(n)) for pid, dept, n in rows]


@dataclass(frozen=True)
class SurveyRate:
    survey: Survey
    answered: int
    sent: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.sent) if self.sent else 0


def latest_survey_rate(organisation_id: int) -> SurveyRate | None:
    """How the survey of the latest event that had one is answered."""
    survey = db.session.scalar(
        sa.select(Survey)
        .join(Event, Event.id == Survey.event_id)
        .where(Survey.organisation_id == organisation_id, Survey.status != SurveyStatus.DRAFT)
        .order_by(Event.starts_at.desc(), Survey.id.desc())
        .limit(1)
    )
    if survey is None:
        return None
    answered = db.session.scalar(
        sa.select(sa.func.count(SurveyResponse.id)).where(SurveyResponse.survey_id == survey.id)
    )
    return SurveyRate(survey, int(answered or 0), sent_count(survey))
