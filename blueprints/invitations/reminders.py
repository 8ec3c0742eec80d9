"""Reminders: to invitees who have not answered, by hand or on the event's schedule
(the outbox workers run `run_due_reminders`)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from blueprints.events.models import Event, EventStatus
from blueprints.invitations.models import Invitation, ReminderSchedule
from blueprints.invitations.services import check_open
from blueprints.members.models import Member
from core import audit, outbox
from core.db import utcnow
from extensions import db

REMINDER_GAP = timedelta(hours=24)


def has_answered(invitation: Invitation) -> bool:
    """The RSVP records every answer (and a later cancel) on the invitation itself."""
    return invitation.responded_at is not None


def _reminder_candidates(event: Event, now: datetime) -> sa.Select:
    return (
        sa.select(Invitation, Member)
        .join(Member, Member.id == Invitation.member_id)
        .where(
            Invitation.event_id == event.id,
            Invitation.responded_at.is_(None),
            Member.email.is_not(None),
            Member.unsubscribed_at.is_(None),
            Member.archived_at.is_(None),
            sa.or_(
                Invitation.last_reminded_at.is_(None),
                Invitation.last_reminded_at <= now - REMINDER_GAP,
            ),
        )
    )


def remind(event: Event, now: datetime | None = None, *, days_before: int | None = None) -> int:
    """Queue a reminder for everyone who has not answered, unless they unsubscribed or got
    one in the last 24 hours; returns how many were queued.

    An organiser's "remind now" is logged as theirs; the schedule's (`days_before` set,
    run by the workers) as the system's. Counts only, never who was reminded.
    """
    check_open(event)
    now = now or utcnow()
    messages = []
    for invitation, member in db.session.execute(_reminder_candidates(event, now)):
        invitation.last_reminded_at = now
        messages.append(
            {
                "key": f"reminder:{invitation.id}:{now:%Y%m%d%H%M}",
                "kind": "reminder",
                "to_email": member.email,
                "to_name": member.full_name[:200],
                "locale": member.locale,
                "payload": {"invitation_id": invitation.id},
                "organisation_id": event.organisation_id,
                "subject": ("invitation", invitation.id),
            }
        )
    queued = outbox.enqueue_many(db.session, messages)
    detail = {"queued": queued, "trigger": "now" if days_before is None else "schedule"}
    if days_before is not None:
        detail["days_before"] = days_before
    audit.record("reminders.send", "event", event.id, detail=detail,
                 organisation_id=event.organisation_id, system=days_before is not None)  # fmt: skip
    db.session.flush()
    return queued


def set_schedule(event: Event, days: list[int]) -> None:
    """Automatic reminders N days before the start (0 to 60); those already run are kept."""
    wanted = sorted({d for d in days if 0 <= d <= 60})[:5]
    existing = {
        s.days_before: s
        for s in db.session.scalars(
            sa.select(ReminderSchedule).where(ReminderSchedule.event_id == event.id)
        )
    }
    for days_before, schedule in existing.items():
        if days_before not in wanted and schedule.done_at is None:
            db.session.delete(schedule)
    for days_before in wanted:
        if days_before not in existing:
            db.session.add(
                ReminderSchedule(
                    organisation_id=event.organisation_id,
                    event_id=event.id,
                    days_before=days_before,
                )
            )
    db.session.flush()


def schedules_of(event: Event) -> list[ReminderSchedule]:
    return list(
        db.session.scalars(
            sa.select(ReminderSchedule)
            .where(ReminderSchedule.event_id == event.id)
            .order_by(ReminderSchedule.days_before.desc())
        )
    )


def run_due_reminders(now: datetime | None = None) -> int:
    """The workers' job: queue the scheduled reminders whose time has come."""
    now = now or utcnow()
    queued = 0
    pending = db.session.execute(
        sa.select(ReminderSchedule, Event)
        .join(Event, Event.id == ReminderSchedule.event_id)
        .where(
            ReminderSchedule.done_at.is_(None),
            Event.status == EventStatus.PUBLISHED,
            Event.starts_at > now,
        )
    ).all()
    for schedule, event in pending:
        if event.starts_at - timedelta(days=schedule.days_before) > now:
            continue
        schedule.queued = remind(event, now, days_before=schedule.days_before)
        schedule.done_at = now
        queued += schedule.queued
    db.session.flush()
    return queued
