"""The weekly digest: each partner account gets, in its language, the follow-ups routed to
it that are still waiting for the partner (open or in progress) and older than its
partner's `digest_days` (7 by default).

`queue_digests` is what `flask partners digest` runs once a week (cron or a systemd timer,
docs/deploy.md). The outbox key names the account and the ISO week, so running it twice in
a week queues nothing more. The email lists what was due when it was queued, re-read when
it is sent: an item answered in between is left out, and nothing is sent when none is left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from blueprints.auth.models import User
from blueprints.followups import thread
from blueprints.followups.models import FollowUp, FollowUpStatus
from blueprints.orgs.models import Partner
from core.db import utcnow
from core.outbox import enqueue
from core.roles import Role
from extensions import db

DIGEST_KIND = "partner_digest"
WAITING = (FollowUpStatus.OPEN, FollowUpStatus.IN_PROGRESS)  # the partner's move
MAX_ITEMS = 50  # listed in one email; the page has the rest


@dataclass
class DigestRun:
    queued: int = 0
    already: int = 0  # queued earlier this week
    nothing_due: int = 0


def week_of(now: datetime) -> str:
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def recipients() -> list[User]:
    """Partner accounts that can sign in: active, with their password chosen."""
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Partner, Partner.id == User.partner_id)
            .where(User.role == Role.PARTNER, User.active, User.invite_hash.is_(None))
            .order_by(User.id)
        )
    )


def due(user: User, now: datetime | None = None, ids: list[int] | None = None) -> list[FollowUp]:
    """The follow-ups of this account waiting for the partner for `digest_days` or more."""
    now = now or utcnow()
    days = user.partner.digest_days if user.partner else 7
    stmt = thread.partner_query(user).where(
        FollowUp.status.in_(WAITING), FollowUp.created_at <= now - timedelta(days=days)
    )
    if ids is not None:
        stmt = stmt.where(FollowUp.id.in_(ids))
    return list(
        db.session.scalars(stmt.order_by(FollowUp.created_at, FollowUp.id).limit(MAX_ITEMS))
    )


def queue_digests(now: datetime | None = None) -> DigestRun:
    """One digest per partner account with something due, at most once per ISO week."""
    now = now or utcnow()
    week = week_of(now)
    run = DigestRun()
    for user in recipients():
        items = due(user, now)
        if not items:
            run.nothing_due += 1
            continue
        queued = enqueue(
            db.session,
            key=f"partner-digest:{user.id}:{week}",
            kind=DIGEST_KIND,
            to_email=user.email,
            to_name=user.full_name,
            locale=user.locale,
            payload={"user_id": user.id, "week": week, "followup_ids": [f.id for f in items]},
            organisation_id=user.organisation_id,
        )
        if queued is None:
            run.already += 1
        else:
            run.queued += 1
    db.session.flush()
    return run
