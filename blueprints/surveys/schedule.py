"""When the survey goes out and to whom: attendees, invites, reminders, the periodic tick."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from blueprints.events.models import Event
from blueprints.rsvp.models import Companion, Registration
from blueprints.surveys.models import (
    Survey,
    SurveyInvite,
    SurveyStatus,
)
from core import audit
from core.db import utcnow
from core.i18n import person_language
from core.outbox import OutboxMessage, OutboxState, enqueue
from extensions import db

INVITE_KIND = "survey_invite"


REMINDER_KIND = "survey_reminder"


def scheduled_at(survey: Survey) -> datetime:
    """When invitations are due: the event's end plus the delay, or earlier if sent now."""
    planned = survey.event.ends_at + timedelta(hours=survey.delay_hours)
    if survey.send_now_at is not None and survey.send_now_at < planned:
        return survey.send_now_at
    return planned


@dataclass(frozen=True)
class Attendee:
    person_key: str
    registration_id: int
    companion_id: int | None
    email: str
    full_name: str
    locale: str
    unsubscribed: bool = False  # the member asked for no more email (law 09-08)


def _came(event: Event):
    return (
        Registration.event_id == event.id,
        Registration.organisation_id == event.organisation_id,
        Registration.checked_in_at.is_not(None),
    )


def attendee_count(event: Event) -> int:
    """len(attendees(event)), counted by the database."""
    with_email = sa.func.nullif(Registration.email, "")
    people = db.session.scalar(sa.select(sa.func.count(with_email)).where(*_came(event)))
    companions = db.session.scalar(
        sa.select(sa.func.count(sa.func.nullif(Companion.email, "")))
        .join(Registration, Registration.id == Companion.registration_id)
        .where(*_came(event))
    )
    return int(people or 0) + int(companions or 0)


def attendees(event: Event) -> list[Attendee]:
    """Everyone checked in at the event who has an email: attendees and their companions."""
    registrations = db.session.scalars(
        sa.select(Registration)
        .where(*_came(event))
        .options(joinedload(Registration.member), selectinload(Registration.companion_list))
        .order_by(Registration.id)
    )
    people: list[Attendee] = []
    for registration in registrations:
        locale = person_language(
            registration.locale, among=("ar", "fr")
        )  # the questions' languages
        member = registration.member
        if registration.email:
            people.append(
                Attendee(
                    f"r:{registration.id}",
                    registration.id,
                    None,
                    registration.email.strip().lower(),
                    registration.full_name,
                    locale,
                    unsubscribed=member is not None and member.unsubscribed_at is not None,
                )
            )
        for companion in registration.companion_list:
            if companion.email:
                people.append(
                    Attendee(
                        f"c:{companion.id}",
                        registration.id,
                        companion.id,
                        companion.email.strip().lower(),
                        companion.full_name,
                        locale,
                    )
                )
    return people


def invite_key(invite: SurveyInvite) -> str:
    return f"survey:{invite.survey_id}:invite:{invite.id}"


def reminder_key(invite: SurveyInvite) -> str:
    return f"survey:{invite.survey_id}:reminder:{invite.id}"


def schedule_survey(survey: Survey, now: datetime | None = None) -> int:
    """Make sure every checked-in person has an invitation queued; returns how many were new.

    Idempotent: the outbox key `survey:<id>:invite:<invite id>` is queued once. Invitations
    not yet due follow a changed delay or "send now".
    """
    if survey.status != SurveyStatus.OPEN:
        return 0
    now = now or utcnow()
    due = scheduled_at(survey)
    existing = {
        invite.person_key: invite
        for invite in db.session.scalars(
            sa.select(SurveyInvite).where(SurveyInvite.survey_id == survey.id)
        )
    }
    queued = 0
    for person in attendees(survey.event):
        invite = existing.get(person.person_key)
        if person.unsubscribed:
            if invite is not None:
                _cancel_queued(invite, "the member unsubscribed")
            continue
        if invite is None:
            invite = _new_invite(survey, person, max(due, now), now)
            if invite is None:
                continue
        elif invite.send_at > now and invite.send_at != max(due, now):
            invite.send_at = max(due, now)
            db.session.execute(
                sa.update(OutboxMessage)
                .where(
                    OutboxMessage.key == invite_key(invite),
                    OutboxMessage.state == OutboxState.QUEUED,
                )
                .values(send_after=invite.send_at)
            )
        message = _enqueue(survey, invite, invite_key(invite), INVITE_KIND, invite.send_at)
        if message is None and not invite.responded:
            message = requeue_closed(invite_key(invite), max(invite.send_at, now))
        queued += message is not None
    db.session.flush()
    return queued


def _enqueue(survey: Survey, invite: SurveyInvite, key: str, kind: str, send_after: datetime):
    """The invitation or the reminder of one invite, in the person's language."""
    return enqueue(
        db.session,
        key=key,
        kind=kind,
        to_email=invite.email,
        to_name=invite.full_name,
        locale=invite.locale,
        payload={"invite_id": invite.id},
        send_after=send_after,
        organisation_id=survey.organisation_id,
        subject=("survey_invite", invite.id),
    )


def _cancel_queued(invite: SurveyInvite, reason: str) -> None:
    db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.key.in_([invite_key(invite), reminder_key(invite)]),
            OutboxMessage.state == OutboxState.QUEUED,
        )
        .values(state=OutboxState.CANCELLED, last_error=reason)
        .execution_options(synchronize_session=False)
    )


# What closing a survey writes on the emails it cancels: reopening it queues them again.
CLOSED = "survey closed"


def requeue_closed(key: str, send_after: datetime) -> bool | None:
    """Queue again an email that closing the survey cancelled (and only such a one)."""
    changed = db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.key == key,
            OutboxMessage.state == OutboxState.CANCELLED,
            OutboxMessage.last_error == CLOSED,
        )
        .values(
            state=OutboxState.QUEUED,
            send_after=send_after,
            attempts=0,
            last_error="",
            lease_until=None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    return True if changed else None


def _new_invite(survey, person: Attendee, send_at: datetime, now: datetime):
    invite = SurveyInvite(
        organisation_id=survey.organisation_id,
        survey_id=survey.id,
        person_key=person.person_key,
        registration_id=person.registration_id,
        companion_id=person.companion_id,
        email=person.email,
        full_name=person.full_name,
        locale=person.locale,
        send_at=send_at,
        created_at=now,
    )
    try:
        with db.session.begin_nested():  # a concurrent tick made it first: use theirs
            db.session.add(invite)
    except IntegrityError:
        return db.session.scalar(
            sa.select(SurveyInvite).where(
                SurveyInvite.survey_id == survey.id,
                SurveyInvite.person_key == person.person_key,
            )
        )
    return invite


def queue_reminders(survey: Survey, now: datetime | None = None) -> int:
    """One reminder, `reminder_days` after the invitation, to those who have not answered."""
    if survey.status != SurveyStatus.OPEN or survey.reminder_days <= 0:
        return 0
    now = now or utcnow()
    cutoff = now - timedelta(days=survey.reminder_days)
    invites = db.session.scalars(
        sa.select(SurveyInvite).where(
            SurveyInvite.survey_id == survey.id,
            SurveyInvite.responded.is_(False),
            SurveyInvite.send_at <= cutoff,
        )
    )
    queued = 0
    for invite in invites:
        message = _enqueue(survey, invite, reminder_key(invite), REMINDER_KIND, now)
        if message is None:
            message = requeue_closed(reminder_key(invite), now)
        queued += message is not None
    db.session.flush()
    return queued


def tick(now: datetime | None = None) -> tuple[int, int]:
    """For every open survey: queue invitations still missing, then due reminders."""
    now = now or utcnow()
    invitations = reminders = 0
    for survey in db.session.scalars(
        sa.select(Survey).where(Survey.status == SurveyStatus.OPEN).order_by(Survey.id)
    ):
        invited, reminded = schedule_survey(survey, now), queue_reminders(survey, now)
        if invited or reminded:  # the system's sending, in the log: counts, not people
            audit.record("survey.send", "survey", survey.id,
                         detail={"event_id": survey.event_id, "invitations": invited,
                                 "reminders": reminded, "trigger": "schedule"},
                         organisation_id=survey.organisation_id, system=True)  # fmt: skip
        invitations += invited
        reminders += reminded
    return invitations, reminders
