"""Follow-ups: record each concern, assign it, move it to its answer, tell the person.

Plain values in, domain errors out; services only flush.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from blueprints.events.models import Event, EventStatus
from blueprints.followups.models import (
    FollowUp,
    FollowUpMessage,
    FollowUpSource,
    FollowUpStatus,
    MessageKind,
)
from blueprints.orgs.models import Partner
from blueprints.rsvp.models import Registration
from core.db import utcnow
from core.i18n import localized, person_language
from core.outbox import enqueue
from core.templating import local_datetime, status_label
from extensions import db

RESOLVED_KIND = "followup_resolved"
MAX_TEXT = 5000


class FollowUpError(Exception):
    pass


def record_concern(
    *,
    organisation_id: int,
    event_id: int,
    text: str,
    source: FollowUpSource | str,
    registration_id: int | None = None,
    question: str = "",
    raised_by_name: str = "",
    raised_by_contact: str = "",
    created_by_id: int | None = None,
    partner_id: int | None = None,
    department: str = "",
) -> FollowUp | None:
    """A follow-up for one concern; None when the text is empty or the event not the org's.
    It may be routed at once to a partner of the organisation (another one's id is ignored)
    or to a department."""
    text = (text or "").strip()[:MAX_TEXT]
    if not text:
        return None
    event = db.session.scalar(
        sa.select(Event).where(Event.id == event_id, Event.organisation_id == organisation_id)
    )
    if event is None:
        return None
    registration = None
    if registration_id is not None:
        registration = db.session.scalar(
            sa.select(Registration).where(
                Registration.id == registration_id,
                Registration.organisation_id == organisation_id,
                Registration.event_id == event_id,
            )
        )
    if registration is not None:
        raised_by_name = registration.full_name
        raised_by_contact = registration.email or registration.phone or ""
    if partner_id is not None:
        partner_id = db.session.scalar(
            sa.select(Partner.id).where(
                Partner.id == partner_id, Partner.organisation_id == organisation_id
            )
        )
    followup = FollowUp(
        organisation_id=organisation_id,
        event_id=event.id,
        partner_id=partner_id,
        department=(department or "").strip()[:120],
        text=text,
        question=(question or "")[:500],
        source=FollowUpSource(source),
        registration_id=registration.id if registration else None,
        raised_by_name=(raised_by_name or "").strip()[:200],
        raised_by_contact=(raised_by_contact or "").strip()[:254],
        created_by_id=created_by_id,
    )
    db.session.add(followup)
    db.session.flush()
    return followup


def on_concern_raised(sender, **kwargs) -> None:
    """core.signals.concern_raised: RSVP and survey answers become follow-ups."""
    record_concern(
        organisation_id=kwargs["organisation_id"],
        event_id=kwargs["event_id"],
        text=kwargs.get("text") or "",
        source=kwargs.get("source") or FollowUpSource.ORGANISER,
        registration_id=kwargs.get("registration_id"),
        question=kwargs.get("question") or "",
    )


def staff_may_note_concern(event: Event, is_organiser: bool) -> bool:
    """Organisers: any event of theirs. Door staff: events they can check in at."""
    if is_organiser:
        return True
    return event.status in (EventStatus.PUBLISHED, EventStatus.CLOSED)


@dataclass
class FollowUpChange:
    status: FollowUpStatus
    partner_id: int | None
    department: str
    resolution: str


def update_followup(
    followup: FollowUp, change: FollowUpChange, now: datetime | None = None, actor=None
):
    """Assign, move along open → in progress → resolved; resolving may email the person.
    A hand-over to another partner is kept in the thread (with `actor`, a User)."""
    now = now or utcnow()
    if change.partner_id is not None:
        partner = db.session.scalar(
            sa.select(Partner).where(
                Partner.id == change.partner_id,
                Partner.organisation_id == followup.organisation_id,
            )
        )
        if partner is None:
            raise FollowUpError(_l("Choose a partner of your organisation."))
    resolution = (change.resolution or "").strip()[:MAX_TEXT]
    if change.status == FollowUpStatus.RESOLVED and not resolution:
        raise FollowUpError(_l("Write the answer before marking the follow-up as resolved."))
    was_resolved = followup.status == FollowUpStatus.RESOLVED
    if actor is not None and followup.partner_id != change.partner_id:
        followup.messages.append(
            FollowUpMessage(
                organisation_id=followup.organisation_id,
                kind=MessageKind.NOTE,
                body="reassigned",  # see thread.NOTE_REASSIGNED
                author_id=actor.id,
                author_name=actor.full_name,
                created_at=now,
            )
        )
    followup.partner_id = change.partner_id
    followup.department = (change.department or "").strip()[:120]
    followup.resolution = resolution
    if change.status != FollowUpStatus.OPEN and followup.started_at is None:
        followup.started_at = now
    followup.status = change.status
    if change.status == FollowUpStatus.RESOLVED:
        if not was_resolved:
            followup.resolved_at = now
            db.session.flush()
            notify_resolution(followup)
    else:
        followup.resolved_at = None
    db.session.flush()


def may_contact(followup: FollowUp) -> Registration | None:
    """The registration to email, if the person gave consent to be contacted."""
    registration = followup.registration
    if registration is None or not registration.email:
        return None
    member = registration.member
    if registration.consent_at is None and (member is None or member.consent_at is None):
        return None
    if member is not None and member.unsubscribed_at is not None:
        return None
    return registration


def notify_resolution(followup: FollowUp) -> bool:
    registration = may_contact(followup)
    if registration is None:
        return False
    stamp = followup.resolved_at.strftime("%Y%m%d%H%M%S")
    message = enqueue(
        db.session,
        key=f"followup:{followup.id}:resolved:{stamp}",
        kind=RESOLVED_KIND,
        to_email=registration.email,
        to_name=registration.full_name,
        locale=person_language(registration.locale, among=("ar", "fr")),
        payload={"followup_id": followup.id},
        organisation_id=followup.organisation_id,
        subject=("followup", followup.id),
    )
    return message is not None


# --------------------------------------------------------------------------- the board


@dataclass
class BoardFilters:
    event_id: int | None = None
    partner_id: int | None = None
    department: str = ""
    status: str = ""
    older_than_days: int | None = None
    query: str = ""


def board_query(organisation_id: int, filters: BoardFilters, now: datetime | None = None):
    stmt = sa.select(FollowUp).where(FollowUp.organisation_id == organisation_id)
    if filters.event_id:
        stmt = stmt.where(FollowUp.event_id == filters.event_id)
    if filters.partner_id:
        stmt = stmt.where(FollowUp.partner_id == filters.partner_id)
    if filters.department:
        stmt = stmt.where(FollowUp.department == filters.department)
    if filters.status in {s.value for s in FollowUpStatus}:
        stmt = stmt.where(FollowUp.status == filters.status)
    if filters.older_than_days:
        cutoff = (now or utcnow()) - timedelta(days=filters.older_than_days)
        stmt = stmt.where(FollowUp.created_at <= cutoff)
    if filters.query:
        needle = f"%{filters.query.strip()}%"
        stmt = stmt.where(sa.or_(FollowUp.text.ilike(needle), FollowUp.resolution.ilike(needle)))
    return stmt.order_by(FollowUp.created_at.desc(), FollowUp.id.desc())


def status_counts(organisation_id: int, filters: BoardFilters) -> dict[str, int]:
    """How many follow-ups in each status, under the same filters except the status."""
    unfiltered = BoardFilters(**{**filters.__dict__, "status": ""})
    sub = board_query(organisation_id, unfiltered).order_by(None).subquery()
    rows = db.session.execute(sa.select(sub.c.status, sa.func.count()).group_by(sub.c.status))
    counts = {s.value: 0 for s in FollowUpStatus}
    for status, count in rows:
        counts[str(status.value if hasattr(status, "value") else status)] = count
    return counts


def departments_of(organisation_id: int) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(FollowUp.department)
            .where(FollowUp.organisation_id == organisation_id, FollowUp.department != "")
            .distinct()
            .order_by(FollowUp.department)
        )
    )


def export_rows(organisation_id: int, filters) -> tuple[list[str], list[list]]:
    """The board as the export shows it: a header and a row per follow-up, in the reader's
    language (labels and local times)."""
    query = board_query(organisation_id, filters).options(
        joinedload(FollowUp.event), joinedload(FollowUp.partner)
    )
    rows = db.session.scalars(query).all()
    header = [
        str(_l("Follow-up number")),
        str(_l("Raised on")),
        str(_l("Event")),
        str(_l("Source")),
        str(_l("Question")),
        str(_l("Concern")),
        str(_l("Raised by")),
        str(_l("Contact")),
        str(_l("Assigned to")),
        str(_l("Status")),
        str(_l("Answer")),
        str(_l("Resolved on")),
    ]
    body = [
        [
            f.id,
            local_datetime(f.created_at, "short"),
            localized(f.event, "title"),
            status_label(f.source),
            f.question,
            f.text,
            f.raised_by_name,
            f.raised_by_contact,
            localized(f.partner, "name") if f.partner else f.department,
            status_label(f.status),
            f.resolution,
            local_datetime(f.resolved_at, "short"),
        ]
        for f in rows
    ]
    return header, body
