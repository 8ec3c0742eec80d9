"""The meeting report: one event's figures, concerns and survey, computed without a request.

Every count is one grouped query, so a report of 2,000 registrations costs a handful of
queries whatever its size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from blueprints.events.models import Event
from blueprints.followups.models import FollowUp, FollowUpMessage, FollowUpStatus, MessageKind
from blueprints.invitations.models import Invitation
from blueprints.members.models import Member
from blueprints.orgs.models import Partner
from blueprints.rsvp.models import Registration, RegistrationSource, RegistrationStatus
from blueprints.surveys import results as survey_results
from blueprints.surveys.models import CHOICE_KINDS, QuestionKind, Survey
from core.i18n import localized
from extensions import db

NOTES_MAX = 20000
TOP_GROUPS = 8  # trades and cities shown; the rest are summed as "other"


@dataclass
class Attendance:
    invited: int = 0
    answered: int = 0
    accepted: int = 0
    arrived: int = 0
    walk_ins: int = 0
    first_time: int = 0
    returning: int = 0
    by_category: list[tuple[object, int]] = field(default_factory=list)  # MemberCategory
    by_trade: list[tuple[str, int]] = field(default_factory=list)  # trade keys
    by_city: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class ConcernGroup:
    name: str
    total: int = 0
    answered: int = 0
    resolved: int = 0


@dataclass
class SurveySummary:
    sent: int
    responses: int
    rate: float | None
    satisfaction: float | None  # mean of the 1–5 ratings
    nps: int | None
    topics: list[tuple[str, int]]  # the most chosen answers of the choice questions


@dataclass
class Report:
    event: Event
    attendance: Attendance
    concerns: list[ConcernGroup]
    survey: SurveySummary | None


def _count(stmt) -> int:
    return db.session.scalar(stmt) or 0


def _grouped(column, where, limit: int | None = TOP_GROUPS) -> list[tuple[str, int]]:
    rows = db.session.execute(
        sa.select(column, sa.func.count()).select_from(Registration)
        .outerjoin(Member, Member.id == Registration.member_id)
        .where(*where).group_by(column).order_by(sa.func.count().desc(), column)
    ).all()  # fmt: skip
    pairs = [(k if k is not None else "", n) for k, n in rows]  # keys: labelled when shown
    if limit is not None and len(pairs) > limit:
        pairs = pairs[:limit] + [("…", sum(n for _, n in pairs[limit:]))]
    return pairs


def attendance(event: Event) -> Attendance:
    """The event's figures: the invitations' count, then one pass over its registrations
    (by status: how many answered an invitation, arrived, walked in, came back from an
    earlier meeting), then the arrivals by category, trade and city."""
    reg = Registration
    mine = (reg.event_id == event.id, reg.organisation_id == event.organisation_id)
    arrived = (*mine, reg.checked_in_at.is_not(None))
    earlier = (
        sa.select(reg.member_id)
        .join(Event, Event.id == reg.event_id)
        .where(
            reg.organisation_id == event.organisation_id,
            reg.checked_in_at.is_not(None),
            Event.starts_at < event.starts_at,
            reg.member_id.is_not(None),
        )
    )
    came_back = sa.and_(reg.checked_in_at.is_not(None), reg.member_id.in_(earlier))
    by_status = db.session.execute(
        sa.select(
            reg.status,
            sa.func.count(),
            sa.func.count(reg.invitation_id),
            sa.func.count(reg.checked_in_at),
            sa.func.count(sa.case((reg.source == RegistrationSource.WALK_IN, 1))),
            sa.func.count(sa.case((came_back, 1))),
        )
        .where(*mine)
        .group_by(reg.status)
    ).all()

    def total(column: int) -> int:
        return sum(row[column] for row in by_status)

    a = Attendance(
        invited=_count(
            sa.select(sa.func.count(Invitation.id)).where(Invitation.event_id == event.id)
        ),
        answered=total(2),
        accepted=sum(row[1] for row in by_status if row[0] == RegistrationStatus.ACCEPTED),
        arrived=total(3),
        walk_ins=total(4),
        by_category=_grouped(reg.category, arrived, None),
        by_trade=_grouped(reg.trade, arrived),
        by_city=_grouped(Member.city, arrived),
    )
    a.returning = total(5)
    a.first_time = a.arrived - a.returning
    return a


def concerns(event: Event, locale: str) -> list[ConcernGroup]:
    """The concerns raised at the event, by partner (or department), with how many are
    answered (an answer in the thread, or resolved) and resolved."""
    answered_ids = sa.select(FollowUpMessage.followup_id).where(
        FollowUpMessage.kind == MessageKind.ANSWER
    )
    answered = sa.or_(FollowUp.status == FollowUpStatus.RESOLVED, FollowUp.id.in_(answered_ids))
    rows = db.session.execute(
        sa.select(
            FollowUp.partner_id,
            FollowUp.department,
            sa.func.count(),
            sa.func.sum(sa.case((answered, 1), else_=0)),
            sa.func.sum(sa.case((FollowUp.status == FollowUpStatus.RESOLVED, 1), else_=0)),
        )
        .where(FollowUp.event_id == event.id, FollowUp.organisation_id == event.organisation_id)
        .group_by(FollowUp.partner_id, FollowUp.department)
        .order_by(sa.func.count().desc())
    ).all()
    partners = {
        p.id: localized(p, "name", locale)
        for p in db.session.scalars(
            sa.select(Partner).where(Partner.organisation_id == event.organisation_id)
        )
    }
    groups: dict[str, ConcernGroup] = {}
    for partner_id, department, total, done, resolved in rows:
        name = partners.get(partner_id, "") if partner_id else ""
        name = " · ".join(x for x in (name, department) if x) or ""
        group = groups.setdefault(name, ConcernGroup(name))
        group.total += total
        group.answered += int(done or 0)
        group.resolved += int(resolved or 0)
    return list(groups.values())


def survey_summary(event: Event, locale: str) -> SurveySummary | None:
    survey = db.session.scalar(sa.select(Survey).where(Survey.event_id == event.id))
    if survey is None:
        return None
    data = survey_results.compute_results(survey, locale)
    ratings = [q.mean for q in data.questions if q.question.kind == QuestionKind.RATING and q.mean]
    nps = next((q.nps for q in data.questions if q.nps is not None), None)
    topics = sorted(
        ((bar.label, bar.count) for q in data.questions
         if q.question.kind in CHOICE_KINDS for bar in q.bars if bar.count),
        key=lambda pair: -pair[1],
    )[:5]  # fmt: skip
    satisfaction = round(sum(ratings) / len(ratings), 1) if ratings else None
    return SurveySummary(data.sent, data.responses, data.rate, satisfaction, nps, topics)


def build(event: Event, locale: str) -> Report:
    return Report(event, attendance(event), concerns(event, locale), survey_summary(event, locale))


def save_notes(event: Event, notes: str) -> None:
    event.report_notes = (notes or "").strip()[:NOTES_MAX]
    db.session.flush()
