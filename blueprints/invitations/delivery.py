"""Delivery state of the invitation emails: counts, the page of invitees, retry, cancel."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from blueprints.events.models import Event
from blueprints.invitations.models import Invitation
from blueprints.members import services as members
from blueprints.members.models import Member
from core import outbox
from core.db import utcnow
from extensions import db


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


def invitations_page(event: Event, page: int, per_page: int, state: str = "", query: str = ""):
    """One page of the event's invitations, by name; `query` searches the invitees as the
    members list does (name, company, email or phone)."""
    stmt = (
        sa.select(Invitation)
        .join(Member, Member.id == Invitation.member_id)
        .where(Invitation.event_id == event.id, *members.matching(query))
        .options(contains_eager(Invitation.member))
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


def cancel_queued(event: Event, reason: str = "cancelled by the organiser") -> int:
    count = 0
    for message in db.session.scalars(_event_messages(event, outbox.OutboxState.QUEUED)):
        message.state = outbox.OutboxState.CANCELLED
        message.last_error = reason
        count += 1
    db.session.flush()
    return count
