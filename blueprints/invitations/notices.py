"""Change notices: when an event moves or is cancelled, the organiser confirms a notice
to everyone it concerns (invitees, and the attendees other features register)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from blueprints.events.models import Event
from blueprints.invitations.models import EventNotice, Invitation, NoticeKind
from blueprints.invitations.services import InvitationError
from blueprints.members.models import Member
from core import audit, outbox
from core.db import utcnow
from core.i18n import person_language
from extensions import db


@dataclass(frozen=True)
class Attendee:
    """Someone a notice about an event concerns beyond its invitees: a registration that
    another feature (the RSVP) holds, with the invitation it answered, if any."""

    registration_id: int
    email: str | None
    name: str
    locale: str
    coming: bool
    invitation_id: int | None = None
    member_id: int | None = None


_ATTENDEES: list[Callable[[Event], Iterable[Attendee]]] = []


_LINKS: list[Callable[[int], str | None]] = []


def register_attendees(
    attendees: Callable[[Event], Iterable[Attendee]], link: Callable[[int], str | None]
) -> None:
    if attendees not in _ATTENDEES:
        _ATTENDEES.append(attendees)
        _LINKS.append(link)


def attendee_link(registration_id: int | None) -> str | None:
    for link in _LINKS if registration_id else ():
        found = link(registration_id)
        if found:
            return found
    return None


def record_change(event: Event, changes: set[str], actor=None) -> EventNotice | None:
    """A published event moved: keep a notice for the organiser to confirm."""
    pending = db.session.scalar(
        sa.select(EventNotice).where(
            EventNotice.event_id == event.id,
            EventNotice.kind == NoticeKind.CHANGED,
            EventNotice.confirmed_at.is_(None),
            EventNotice.dismissed_at.is_(None),
        )
    )
    if pending is not None:  # merge with a notice not sent yet
        pending.changes = ",".join(sorted(pending.change_set | set(changes)))
        return pending
    notice = EventNotice(
        organisation_id=event.organisation_id,
        event_id=event.id,
        kind=NoticeKind.CHANGED,
        changes=",".join(sorted(changes)),
        raised_by_id=getattr(actor, "id", None),
    )
    db.session.add(notice)
    _log("notice.raised", notice, fields=changes)
    return notice


def record_cancellation(event: Event, actor=None) -> EventNotice:
    for pending in pending_notices(event):  # a move no longer matters
        pending.dismissed_at = utcnow()
    notice = EventNotice(
        organisation_id=event.organisation_id,
        event_id=event.id,
        kind=NoticeKind.CANCELLED,
        raised_by_id=getattr(actor, "id", None),
    )
    db.session.add(notice)
    _log("notice.raised", notice)
    return notice


def _log(action: str, notice: EventNotice, fields=(), **counts) -> None:
    """Change notices in the audit log: which event, which kind, how many; never to whom."""
    audit.record(action, "event", notice.event_id, fields=fields,
                 detail={"notice": notice.kind.value, **counts},
                 organisation_id=notice.organisation_id)  # fmt: skip


def pending_notices(event: Event) -> list[EventNotice]:
    return list(
        db.session.scalars(
            sa.select(EventNotice).where(
                EventNotice.event_id == event.id,
                EventNotice.confirmed_at.is_(None),
                EventNotice.dismissed_at.is_(None),
            )
        )
    )


def notice_recipients(event: Event) -> list[dict]:
    """Invitees (with an email, not unsubscribed, not having declined) and the attendees
    other features know of (registrants, with an email, still coming), each once, in their
    own language."""
    recipients: dict[str, dict] = {}
    attendees = [person for provider in _ATTENDEES for person in provider(event)]
    declined = {a.invitation_id for a in attendees if not a.coming and a.invitation_id}
    rows = db.session.execute(
        sa.select(Invitation.id, Member.email, Member.full_name, Member.locale)
        .join(Member, Member.id == Invitation.member_id)
        .where(
            Invitation.event_id == event.id,
            Member.email.is_not(None),
            Member.unsubscribed_at.is_(None),
        )
    )
    for invitation_id, email, name, locale in rows:
        if invitation_id in declined:
            continue
        recipients[email.lower()] = {
            "email": email,
            "name": name,
            "locale": locale,
            "invitation_id": invitation_id,
            "registration_id": None,
        }
    for person in attendees:
        if not person.email or not person.coming:
            continue
        key = person.email.lower()
        if key in recipients:
            recipients[key]["registration_id"] = person.registration_id
            continue
        recipients[key] = {
            "email": person.email,
            "name": person.name,
            "locale": person.locale,
            "invitation_id": None,
            "registration_id": person.registration_id,
            "member_id": person.member_id,
        }
    return list(recipients.values())


def confirm_notice(notice: EventNotice, actor_id: int | None) -> int:
    if notice.confirmed_at is not None or notice.dismissed_at is not None:
        raise InvitationError(_l("This notice was already handled."))
    event = db.session.get(Event, notice.event_id)
    messages = [
        {
            "key": f"notice:{notice.id}:{r['email'].lower()}"[:200],
            "kind": "event_notice",
            "to_email": r["email"],
            "to_name": (r["name"] or "")[:200],
            "locale": person_language(r["locale"]),
            "payload": {
                "notice_id": notice.id,
                "invitation_id": r["invitation_id"],
                "registration_id": r["registration_id"],
                "member_id": r.get("member_id"),
            },
            "organisation_id": notice.organisation_id,
            "subject": ("invitation", r["invitation_id"])
            if r["invitation_id"]
            else ("registration", r["registration_id"]),
        }
        for r in notice_recipients(event)
    ]
    notice.queued = outbox.enqueue_many(db.session, messages)
    notice.confirmed_at = utcnow()
    notice.confirmed_by_id = actor_id
    _log("notice.send", notice, queued=notice.queued)
    db.session.flush()
    return notice.queued


def dismiss_notice(notice: EventNotice) -> None:
    if notice.confirmed_at is None and notice.dismissed_at is None:
        notice.dismissed_at = utcnow()
        _log("notice.dismiss", notice)
