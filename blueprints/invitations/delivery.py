"""Delivery state of the invitation emails: counts, the page of invitees, retry, cancel.

An event of many invitations (LARGE and more) is shown differently, so that its page
stays fast while 200,000 emails drain: the counts per state, which read every email of
the event (0.2 s at 200,000), are kept in this process for DELIVERY_COUNTS_SECONDS and
shown with the time they were counted (forgotten at once when the organiser retries or
cancels), and the invitees are listed in the order they were invited (an index walk)
rather than by name (a sort of every invitee); the search still finds anyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from blueprints.events.models import Event
from blueprints.invitations.models import Invitation
from blueprints.members import services as members
from blueprints.members.models import Member
from core import outbox
from core.db import utcnow
from core.kept import Kept
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


LARGE = 5000  # invitations from which an event's delivery page is shown as said above

_counts = Kept("DELIVERY_COUNTS_SECONDS", 60)


@dataclass
class Figures:
    """The delivery page's figures: invitations, emails per state, and when they were
    counted (None: just now, as for every event under LARGE)."""

    invitations: int
    counts: dict[str, int]
    counted_at: datetime | None

    @property
    def large(self) -> bool:
        return self.invitations >= LARGE


def invitation_total(event: Event) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(Invitation.id)).where(Invitation.event_id == event.id)
        )
        or 0
    )


def figures(event: Event) -> Figures:
    total = invitation_total(event)
    if total < LARGE or _counts.seconds() <= 0:
        return Figures(total, delivery_counts(event), None)
    counts, counted_at = _counts.get(event.id, lambda: (delivery_counts(event), utcnow()))
    return Figures(total, counts, counted_at)


def forget(event: Event) -> None:
    """The organiser changed the emails' states: count them again on the next page."""
    _counts.forget(event.id)


def invitations_page(
    event: Event, page: int, per_page: int, state: str = "", query: str = "", total=None
):
    """One page of the event's invitations, by name (for a LARGE event without a search or
    a state chosen: in the order they were invited, `total` of them); `query` searches the
    invitees as the members list does (name, company, email or phone)."""
    whole = total is not None and not query and not state  # every invitation: `total`
    in_order = whole and total >= LARGE
    stmt = (
        sa.select(Invitation)
        .join(Member, Member.id == Invitation.member_id)
        .where(Invitation.event_id == event.id, *members.matching(query))
        .options(contains_eager(Invitation.member))
        .order_by(*((Invitation.id,) if in_order else (Member.full_name, Invitation.id)))
    )
    if whole:  # no second count, of the join: the event's invitations are `total`
        listed = db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=False)
        listed.total = total
        return listed
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
    forget(event)
    return count


def cancel_queued(event: Event, reason: str = "cancelled by the organiser") -> int:
    count = 0
    for message in db.session.scalars(_event_messages(event, outbox.OutboxState.QUEUED)):
        message.state = outbox.OutboxState.CANCELLED
        message.last_error = reason
        count += 1
    db.session.flush()
    forget(event)
    return count
