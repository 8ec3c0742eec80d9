"""Invitations: who is invited, their email, reminders, change notices, WhatsApp links.

Plain values in, domain errors out; only flush(), the caller commits. Every email is
queued in the outbox in the same transaction as the change that causes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import quote

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from blueprints.events.models import Event, EventStatus
from blueprints.invitations.models import EventNotice, Invitation, NoticeKind, ReminderSchedule
from blueprints.members.models import Member, MemberCategory, MemberTag
from blueprints.rsvp.models import Registration, RegistrationStatus
from core import outbox
from core.db import utcnow
from core.urls import external_url
from extensions import db

REMINDER_GAP = timedelta(hours=24)
NOT_COMING = (
    RegistrationStatus.DECLINED,
    RegistrationStatus.CANCELLED,
    RegistrationStatus.REJECTED,
)


class InvitationError(Exception):
    pass


def rsvp_url(token: str, answer: str | None = None) -> str:
    return external_url(f"/r/{token}" + (f"?answer={answer}" if answer else ""))


def unsubscribe_url(token: str) -> str:
    return external_url(f"/u/{token}")


# --------------------------------------------------------------------------- recipients


@dataclass
class Audience:
    """Who to invite: everyone, or members having any of the tags/categories/trades, or
    the members picked by hand (which add to the others)."""

    everyone: bool = False
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    trades: list[str] = field(default_factory=list)
    member_ids: list[int] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.everyone or self.tags or self.categories or self.trades or self.member_ids)


def audience_query(event: Event, audience: Audience) -> sa.Select:
    stmt = sa.select(Member).where(
        Member.organisation_id == event.organisation_id, Member.archived_at.is_(None)
    )
    if audience.everyone:
        return stmt
    conditions = []
    if audience.tags:
        conditions.append(
            Member.id.in_(sa.select(MemberTag.member_id).where(MemberTag.tag.in_(audience.tags)))
        )
    valid_categories = [c for c in audience.categories if c in {m.value for m in MemberCategory}]
    if valid_categories:
        conditions.append(Member.category.in_([MemberCategory(c) for c in valid_categories]))
    if audience.trades:
        conditions.append(Member.trade.in_(audience.trades))
    if audience.member_ids:
        conditions.append(Member.id.in_(audience.member_ids[:5000]))
    if not conditions:
        return stmt.where(sa.false())
    return stmt.where(sa.or_(*conditions))


def _already_invited(event: Event) -> sa.Select:
    return sa.select(Invitation.member_id).where(Invitation.event_id == event.id)


@dataclass
class AudiencePreview:
    matching: int
    already_invited: int
    new: int
    without_email: list[Member]
    without_email_count: int
    unsubscribed: int


def preview(event: Event, audience: Audience) -> AudiencePreview:
    base = audience_query(event, audience).subquery()
    count = lambda stmt: db.session.scalar(stmt) or 0  # noqa: E731
    matching = count(sa.select(sa.func.count()).select_from(base))
    invited = count(
        sa.select(sa.func.count()).select_from(base).where(base.c.id.in_(_already_invited(event)))
    )
    new_members = audience_query(event, audience).where(Member.id.not_in(_already_invited(event)))
    no_email = new_members.where(Member.email.is_(None))
    return AudiencePreview(
        matching=matching,
        already_invited=invited,
        new=matching - invited,
        without_email=list(db.session.scalars(no_email.order_by(Member.full_name).limit(50))),
        without_email_count=count(sa.select(sa.func.count()).select_from(no_email.subquery())),
        unsubscribed=count(
            sa.select(sa.func.count()).select_from(
                new_members.where(Member.unsubscribed_at.is_not(None)).subquery()
            )
        ),
    )


def _check_open(event: Event, now: datetime | None = None) -> None:
    if event.status != EventStatus.PUBLISHED:
        raise InvitationError(_l("Publish the event before sending invitations."))
    if event.ends_at <= (now or utcnow()):
        raise InvitationError(_l("This event is over."))


@dataclass
class InviteResult:
    invited: int = 0
    emailed: int = 0
    without_email: int = 0
    unsubscribed: int = 0


def invite(
    event: Event, audience: Audience, actor_id: int | None, now: datetime | None = None
) -> InviteResult:
    """One invitation per new member (the unique constraint guarantees it), each emailed
    in the member's language when they have an address and did not unsubscribe."""
    now = now or utcnow()
    _check_open(event, now)
    if audience.is_empty:
        raise InvitationError(_l("Choose who to invite."))
    members = list(
        db.session.execute(
            audience_query(event, audience)
            .where(Member.id.not_in(_already_invited(event)))
            .with_only_columns(Member.id, Member.email, Member.full_name, Member.locale)
            .add_columns(Member.unsubscribed_at)
        )
    )
    result = InviteResult()
    invitations = [
        Invitation(
            organisation_id=event.organisation_id,
            event_id=event.id,
            member_id=member_id,
            invited_by_id=actor_id,
            created_at=now,
            updated_at=now,
        )
        for member_id, *_ in members
    ]
    db.session.add_all(invitations)
    db.session.flush()
    messages = []
    for invitation, (_id, email, name, locale, unsubscribed_at) in zip(
        invitations, members, strict=True
    ):
        result.invited += 1
        if not email:
            result.without_email += 1
            continue
        if unsubscribed_at is not None:
            result.unsubscribed += 1
            continue
        messages.append(
            {
                "key": f"invitation:{invitation.id}",
                "kind": "invitation",
                "to_email": email,
                "to_name": name[:200],
                "locale": locale,
                "payload": {"invitation_id": invitation.id},
                "organisation_id": event.organisation_id,
                "subject": ("invitation", invitation.id),
            }
        )
    result.emailed = outbox.enqueue_many(db.session, messages)
    db.session.flush()
    return result


# --------------------------------------------------------------------------- reminders


def has_answered(invitation: Invitation) -> bool:
    if invitation.responded_at is not None:
        return True
    return (
        db.session.scalar(
            sa.select(Registration.id).where(Registration.invitation_id == invitation.id).limit(1)
        )
        is not None
    )


def _reminder_candidates(event: Event, now: datetime) -> sa.Select:
    answered = sa.select(Registration.invitation_id).where(
        Registration.event_id == event.id, Registration.invitation_id.is_not(None)
    )
    return (
        sa.select(Invitation, Member)
        .join(Member, Member.id == Invitation.member_id)
        .where(
            Invitation.event_id == event.id,
            Invitation.responded_at.is_(None),
            Invitation.id.not_in(answered),
            Member.email.is_not(None),
            Member.unsubscribed_at.is_(None),
            Member.archived_at.is_(None),
            sa.or_(
                Invitation.last_reminded_at.is_(None),
                Invitation.last_reminded_at <= now - REMINDER_GAP,
            ),
        )
    )


def remind(event: Event, now: datetime | None = None) -> int:
    """Queue a reminder for everyone who has not answered, unless they unsubscribed or got
    one in the last 24 hours; returns how many were queued."""
    _check_open(event)
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
        schedule.queued = remind(event, now)
        schedule.done_at = now
        queued += schedule.queued
    db.session.flush()
    return queued


# --------------------------------------------------------------------------- changes


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
    return notice


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
    """Invitees (with an email, not unsubscribed, not having declined) and registrants with
    an email who are still coming, each once, in their own language."""
    recipients: dict[str, dict] = {}
    registrations = list(
        db.session.scalars(sa.select(Registration).where(Registration.event_id == event.id))
    )
    declined = {r.invitation_id for r in registrations if r.status in NOT_COMING}
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
    for registration in registrations:
        if not registration.email or registration.status in NOT_COMING:
            continue
        key = registration.email.lower()
        if key in recipients:
            recipients[key]["registration_id"] = registration.id
            continue
        recipients[key] = {
            "email": registration.email,
            "name": registration.full_name,
            "locale": registration.locale,
            "invitation_id": None,
            "registration_id": registration.id,
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
            "locale": r["locale"] if r["locale"] in ("ar", "fr", "en") else "ar",
            "payload": {
                "notice_id": notice.id,
                "invitation_id": r["invitation_id"],
                "registration_id": r["registration_id"],
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
    db.session.flush()
    return notice.queued


def dismiss_notice(notice: EventNotice) -> None:
    if notice.confirmed_at is None:
        notice.dismissed_at = notice.dismissed_at or utcnow()


# --------------------------------------------------------------------------- delivery state


def delivery_counts(event: Event) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(outbox.OutboxMessage.state, sa.func.count())
        .join(
            Invitation,
            sa.and_(
                outbox.OutboxMessage.subject_kind == "invitation",
                Invitation.id == outbox.OutboxMessage.subject_id,
            ),
        )
        .where(Invitation.event_id == event.id)
        .group_by(outbox.OutboxMessage.state)
    )
    counts = {s.value: 0 for s in outbox.OutboxState}
    for state, n in rows:
        counts[state.value] = n
    return counts


def invitations_page(event: Event, page: int, per_page: int, state: str = ""):
    stmt = (
        sa.select(Invitation)
        .join(Member, Member.id == Invitation.member_id)
        .where(Invitation.event_id == event.id)
        .order_by(Member.full_name, Invitation.id)
    )
    if state in {s.value for s in outbox.OutboxState}:
        stmt = stmt.where(
            Invitation.id.in_(
                sa.select(outbox.OutboxMessage.subject_id).where(
                    outbox.OutboxMessage.subject_kind == "invitation",
                    outbox.OutboxMessage.state == outbox.OutboxState(state),
                    outbox.OutboxMessage.kind == "invitation",
                )
            )
        )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def latest_messages(invitation_ids: list[int]) -> dict[int, outbox.OutboxMessage]:
    """Each invitation's most recent email (invitation, reminder or notice)."""
    latest: dict[int, outbox.OutboxMessage] = {}
    if not invitation_ids:
        return latest
    for message in db.session.scalars(
        sa.select(outbox.OutboxMessage)
        .where(outbox.OutboxMessage.about("invitation", invitation_ids))
        .order_by(outbox.OutboxMessage.id)
    ):
        latest[message.subject_id] = message
    return latest


def _event_messages(event: Event, state: outbox.OutboxState) -> sa.Select:
    return sa.select(outbox.OutboxMessage).where(
        outbox.OutboxMessage.state == state,
        outbox.OutboxMessage.about(
            "invitation", sa.select(Invitation.id).where(Invitation.event_id == event.id)
        ),
    )


def retry_failed(event: Event, message_id: int | None = None) -> int:
    stmt = _event_messages(event, outbox.OutboxState.FAILED)
    if message_id is not None:
        stmt = stmt.where(outbox.OutboxMessage.id == message_id)
    count = 0
    for message in db.session.scalars(stmt):
        message.state = outbox.OutboxState.QUEUED
        message.attempts = 0
        message.send_after = utcnow()
        count += 1
    db.session.flush()
    return count


def cancel_queued(event: Event) -> int:
    count = 0
    for message in db.session.scalars(_event_messages(event, outbox.OutboxState.QUEUED)):
        message.state = outbox.OutboxState.CANCELLED
        message.last_error = "cancelled by the organiser"
        count += 1
    db.session.flush()
    return count


# --------------------------------------------------------------------------- by hand


def whatsapp_text(invitation: Invitation) -> str:
    member, event = invitation.member, invitation.event
    with force_locale(member.locale):
        return render_template(
            "invitations/whatsapp.txt",
            member=member,
            event=event,
            org=event.organisation,
            url=rsvp_url(invitation.token),
            locale=member.locale,
        ).strip()


def whatsapp_url(invitation: Invitation) -> str | None:
    """wa.me click-to-chat with the invitation in the member's language; None without phone."""
    phone = invitation.member.phone
    if not phone:
        return None
    return f"https://wa.me/{phone.lstrip('+')}?text={quote(whatsapp_text(invitation))}"


def mark_shared_by_hand(invitation: Invitation) -> None:
    invitation.shared_by_hand_at = invitation.shared_by_hand_at or utcnow()


def unsubscribe(invitation: Invitation) -> None:
    """The member asks for no more invitation email; queued ones are cancelled."""
    member = db.session.get(Member, invitation.member_id)
    member.unsubscribed_at = member.unsubscribed_at or utcnow()
    member_invitations = sa.select(Invitation.id).where(Invitation.member_id == member.id)
    db.session.execute(
        sa.update(outbox.OutboxMessage)
        .where(
            outbox.OutboxMessage.about("invitation", member_invitations),
            outbox.OutboxMessage.state == outbox.OutboxState.QUEUED,
            outbox.OutboxMessage.kind.in_(["invitation", "reminder"]),
        )
        .values(state=outbox.OutboxState.CANCELLED, last_error="unsubscribed")
        .execution_options(synchronize_session=False)
    )
    db.session.flush()


def invitation_by_token(token: str) -> Invitation | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(sa.select(Invitation).where(Invitation.token == token))
