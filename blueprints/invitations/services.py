"""Invitations: who is invited and their email, the links in it, WhatsApp by hand,
unsubscribing. Reminders, change notices and delivery state have their own modules.

Plain values in, domain errors out; only flush(), the caller commits. Every email is
queued in the outbox in the same transaction as the change that causes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from blueprints.events.models import Event, EventStatus
from blueprints.invitations.models import Invitation
from blueprints.members.models import Member, MemberCategory, MemberTag
from core import audit, outbox
from core.db import utcnow
from core.tokens import find_by_token, new_token, seal, sha256_hex
from core.urls import external_url
from extensions import db


class InvitationError(Exception):
    pass


def rsvp_url(token: str, answer: str | None = None) -> str:
    return external_url(f"/r/{token}" + (f"?answer={answer}" if answer else ""))


def unsubscribe_url(token: str) -> str:
    return external_url(f"/u/{token}")


def list_unsubscribe_headers(invitation: Invitation | None) -> dict[str, str]:
    """The headers mail clients show as "Unsubscribe" (one click, RFC 8058), for any email
    sent to a member who was invited: every feature's emails carry them."""
    if invitation is None:
        return {}
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(invitation.token)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


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


def already_invited(event: Event) -> sa.Select:
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
        sa.select(sa.func.count()).select_from(base).where(base.c.id.in_(already_invited(event)))
    )
    new_members = audience_query(event, audience).where(Member.id.not_in(already_invited(event)))
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


def check_open(event: Event, now: datetime | None = None) -> None:
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
    last_member_id: int = 0  # the highest member id invited (where a next batch starts)


def invite(
    event: Event, audience: Audience, actor_id: int | None, now: datetime | None = None
) -> InviteResult:
    """One invitation per new member (the unique constraint guarantees it), each emailed
    in the member's language when they have an address and did not unsubscribe."""
    now = now or utcnow()
    check_open(event, now)
    if audience.is_empty:
        raise InvitationError(_l("Choose who to invite."))
    result = invite_members(event, audience, actor_id, now)
    detail = {"invited": result.invited, "emailed": result.emailed}
    audit.record("invitations.send", "event", event.id, detail=detail, user_id=actor_id)
    db.session.flush()
    return result


def invite_members(
    event: Event,
    audience: Audience,
    actor_id: int | None,
    now: datetime,
    after_id: int | None = None,
    limit: int | None = None,
) -> InviteResult:
    """Invite the audience's members not invited yet: all of them, or (for a batch of a
    large invitation) the first `limit` with an id above `after_id`, in id order."""
    stmt = (
        audience_query(event, audience)
        .where(Member.id.not_in(already_invited(event)))
        .with_only_columns(Member.id, Member.email, Member.full_name, Member.locale)
        .add_columns(Member.unsubscribed_at)
    )
    if after_id is not None:
        stmt = stmt.where(Member.id > after_id).order_by(Member.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    members = list(db.session.execute(stmt))
    result = InviteResult(last_member_id=max((m[0] for m in members), default=0))
    if not members:
        return result
    # One executemany of plain rows (no ORM objects, no RETURNING), then their ids back
    # by the unique (event, member): a batch of 500 in a 200,000-member invitation.
    rows = []
    for member_id, *_ in members:
        token = new_token()
        rows.append(
            {
                "organisation_id": event.organisation_id,
                "event_id": event.id,
                "member_id": member_id,
                "invited_by_id": actor_id,
                "token_hash": sha256_hex(token),
                "token_sealed": seal(token),
                "created_at": now,
                "updated_at": now,
            }
        )
    db.session.execute(sa.insert(Invitation), rows)
    invitation_of: dict[int, int] = {}
    member_ids = [m[0] for m in members]
    for start in range(0, len(member_ids), 1000):  # bound the statement's parameters
        invitation_of.update(
            db.session.execute(
                sa.select(Invitation.member_id, Invitation.id).where(
                    Invitation.event_id == event.id,
                    Invitation.member_id.in_(member_ids[start : start + 1000]),
                )
            ).all()
        )
    messages = []
    for member_id, email, name, locale, unsubscribed_at in members:
        result.invited += 1
        if not email:
            result.without_email += 1
            continue
        if unsubscribed_at is not None:
            result.unsubscribed += 1
            continue
        invitation_id = invitation_of[member_id]
        messages.append(
            {
                "key": f"invitation:{invitation_id}",
                "kind": "invitation",
                "to_email": email,
                "to_name": name[:200],
                "locale": locale,
                "payload": {"invitation_id": invitation_id},
                "organisation_id": event.organisation_id,
                "subject": ("invitation", invitation_id),
            }
        )
    result.emailed = outbox.enqueue_many(db.session, messages)
    return result


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
    """The invitation with its event, the event's organisation and the member: the pages
    its links open read all four, so they come in one statement."""
    options = (
        joinedload(Invitation.event).joinedload(Event.organisation),
        joinedload(Invitation.member),
    )
    return find_by_token(Invitation, token, options=options)
