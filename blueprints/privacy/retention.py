"""Retention: the personal data of an event older than the organisation's retention period
(months after the event's end, 24 by default) is anonymised; its figures stay.

`purge(dry_run=True)` says what it would do without changing anything; run for real it is
idempotent (what was anonymised is not counted again).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from blueprints.checkin.models import CheckIn
from blueprints.events.models import Event
from blueprints.followups.models import FollowUp
from blueprints.invitations.models import Invitation
from blueprints.orgs.models import Organisation
from blueprints.privacy import anonymise
from blueprints.rsvp.models import Registration
from blueprints.surveys.models import SurveyInvite
from core import audit
from core.db import utcnow
from core.outbox import OutboxMessage, OutboxState
from extensions import db


@dataclass
class EventPurge:
    organisation: str
    event_id: int
    title: str
    ended_at: datetime
    registrations: int = 0
    checkins: int = 0
    emails: int = 0
    done: dict = field(default_factory=dict)

    @property
    def anything(self) -> bool:
        return bool(self.registrations or self.checkins or self.emails)


def months_before(moment: datetime, months: int) -> datetime:
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, 28)  # every month has a 28th; a few days' margin is harmless
    return moment.replace(year=year, month=month + 1, day=day)


def _ids(query) -> list[int]:
    return list(db.session.scalars(query))


def _plan(organisation: Organisation, event: Event) -> tuple[EventPurge, dict]:
    regs = _ids(
        sa.select(Registration.id).where(
            Registration.event_id == event.id,
            sa.or_(Registration.full_name != anonymise.ERASED_NAME,
                   Registration.email.is_not(None), Registration.phone.is_not(None),
                   Registration.ticket_code_hash.is_not(None)),
        )
    )  # fmt: skip
    all_regs = sa.select(Registration.id).where(Registration.event_id == event.id)
    logs = sa.select(CheckIn.id).where(CheckIn.event_id == event.id, CheckIn.code_excerpt != "")
    invites = sa.select(SurveyInvite.id).where(SurveyInvite.registration_id.in_(all_regs))
    subjects = [
        ("invitation", sa.select(Invitation.id).where(Invitation.event_id == event.id)),
        ("registration", all_regs),
        ("survey_invite", invites),
        ("followup", sa.select(FollowUp.id).where(FollowUp.event_id == event.id)),
    ]  # fmt: skip
    mail = sa.and_(
        OutboxMessage.organisation_id == organisation.id,
        OutboxMessage.to_email != anonymise.ERASED_EMAIL,
        OutboxMessage.state.not_in([OutboxState.QUEUED, OutboxState.SENDING]),
        sa.or_(*[OutboxMessage.about(kind, ids) for kind, ids in subjects]),
    )
    report = EventPurge(
        organisation=organisation.slug,
        event_id=event.id,
        title=event.title_fr or event.title_ar or event.title_en,
        ended_at=event.ends_at,
        registrations=len(regs),
        checkins=db.session.scalar(sa.select(sa.func.count()).select_from(logs.subquery())),
        emails=db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(mail)),
    )
    return report, {"regs": regs, "logs": logs, "mail": mail}


def purge(now: datetime | None = None, dry_run: bool = False) -> list[EventPurge]:
    """Every event past its organisation's retention period with personal data left."""
    now = now or utcnow()
    reports = []
    for organisation in db.session.scalars(sa.select(Organisation).order_by(Organisation.id)):
        cutoff = months_before(now, organisation.retention_months)
        events = db.session.scalars(
            sa.select(Event)
            .where(Event.organisation_id == organisation.id, Event.ends_at < cutoff)
            .order_by(Event.ends_at)
        )
        for event in events:
            report, what = _plan(organisation, event)
            if not report.anything:
                continue
            reports.append(report)
            if not dry_run:
                _apply(organisation, event, report, what)
    db.session.flush()
    return reports


def _apply(organisation: Organisation, event: Event, report: EventPurge, what: dict) -> None:
    report.done = anonymise.registrations(what["regs"])
    anonymise.checkin_logs(what["logs"])
    db.session.execute(
        sa.update(OutboxMessage)
        .where(what["mail"])
        .values(to_email=anonymise.ERASED_EMAIL, to_name="", payload={}, last_error="")
        .execution_options(synchronize_session=False)
    )
    audit.record("retention.purge", "event", event.id, organisation_id=organisation.id,
                 detail={"registrations": report.registrations, "checkins": report.checkins,
                         "emails": report.emails})  # fmt: skip
