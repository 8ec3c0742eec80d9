"""A large invitation as background work: the request makes a job and returns at once;
the outbox workers invite its members in batches while the organiser watches a progress
page.

Each batch is one transaction: lock the job, invite the next members (in id order, after
`last_member_id`), queue their emails, move the cursor and the counts, commit. A worker
killed in the middle of a batch leaves nothing of it behind, and the next worker does the
batch again; the unique (event, member) invitation and the outbox's unique keys make a
second try harmless anyway.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from blueprints.events.models import Event
from blueprints.invitations.models import InvitationJob, InvitationJobState
from blueprints.invitations.services import (
    Audience,
    InvitationError,
    already_invited,
    audience_query,
    check_open,
    invite,
    invite_members,
)
from blueprints.members.models import Member
from core import audit
from core.db import lock_oldest, utcnow
from extensions import db

BATCH = 500  # members per batch: one transaction of a few hundred milliseconds
MAX_ERRORS = 5  # batches failed in a row before the job stops and says why
ACTIVE = (InvitationJobState.QUEUED, InvitationJobState.RUNNING)


def threshold() -> int:
    """From how many new invitations the organiser's request makes a job instead."""
    return int(current_app.config.get("INVITE_JOB_THRESHOLD", 2000))


def new_count(event: Event, audience: Audience) -> int:
    """How many of the audience are not invited yet: one count."""
    stmt = audience_query(event, audience).where(Member.id.not_in(already_invited(event)))
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0


def start(
    event: Event,
    audience: Audience,
    actor_id: int | None,
    now: datetime | None = None,
    total: int | None = None,
):
    """The job that will invite `audience` (checked now, like a direct invitation)."""
    check_open(event, now)
    if audience.is_empty:
        raise InvitationError(_l("Choose who to invite."))
    job = InvitationJob(
        organisation_id=event.organisation_id,
        event_id=event.id,
        created_by_id=actor_id,
        audience=asdict(audience),
        total=new_count(event, audience) if total is None else total,
    )
    db.session.add(job)
    db.session.flush()
    audit.record(
        "invitations.job", "event", event.id, detail={"job_id": job.id, "total": job.total}
    )
    return job


def send(event: Event, audience: Audience, actor_id: int | None):
    """The organiser's "send invitations": done now for a few, a background job for many.

    Returns the InviteResult of a direct invitation, or the InvitationJob made instead.
    """
    if audience.is_empty:
        return invite(event, audience, actor_id)  # which says "choose who to invite"
    total = new_count(event, audience)
    if total < threshold():
        return invite(event, audience, actor_id)
    return start(event, audience, actor_id, total=total)


def active_job(event: Event) -> InvitationJob | None:
    return db.session.scalar(
        sa.select(InvitationJob)
        .where(InvitationJob.event_id == event.id, InvitationJob.state.in_(ACTIVE))
        .order_by(InvitationJob.id)
        .limit(1)
    )


def _lock_next() -> InvitationJob | None:
    """The oldest unfinished job, locked for this transaction (another worker skips it)."""
    return lock_oldest(db.session, InvitationJob, InvitationJob.state, ACTIVE)


def run_batch(batch: int | None = None, now: datetime | None = None) -> int:
    """One batch of the oldest unfinished job, committed; how many members it looked at."""
    job = _lock_next()
    if job is None:
        db.session.rollback()
        return 0
    job_id = job.id
    try:
        seen = _invite_batch(job, batch or BATCH, now or utcnow())
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        _record_error(job_id, error)
        raise
    return seen


def _invite_batch(job: InvitationJob, batch: int, now: datetime) -> int:
    job.state = InvitationJobState.RUNNING
    result = invite_members(
        job.event, Audience(**job.audience), job.created_by_id, now, job.last_member_id, batch
    )
    seen = result.invited
    job.last_member_id = result.last_member_id or job.last_member_id
    job.done = min(job.total, job.done + seen)
    job.invited += result.invited
    job.emailed += result.emailed
    job.errors = 0 if seen else job.errors
    if seen < batch:
        job.state = InvitationJobState.DONE
        job.done = job.total
        job.finished_at = now
        detail = {"job_id": job.id, "invited": job.invited, "emailed": job.emailed}
        audit.record(
            "invitations.send", "event", job.event_id, detail=detail, user_id=job.created_by_id
        )
    db.session.flush()
    return max(seen, 1)  # a finishing batch counts as work done


def _record_error(job_id: int, error: Exception) -> None:
    """Count the failed batch (done again by the next round); stop after MAX_ERRORS."""
    job = db.session.get(InvitationJob, job_id)
    if job is None:
        return
    job.errors += 1
    job.last_error = f"{type(error).__name__}: {error}"[:2000]
    if job.errors >= MAX_ERRORS:
        job.state = InvitationJobState.FAILED
    db.session.commit()


def run_background_step() -> int:
    """The workers' step (registered with core.outbox_worker)."""
    return run_batch()
