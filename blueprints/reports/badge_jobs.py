"""A large badge sheet as background work, like a large invitation
(invitations/jobs.py): the request makes a job and returns at once; the outbox workers
render it in parts of PART badges while the organiser watches a progress page, then join
the parts into one PDF, which the organiser downloads.

Why parts: WeasyPrint keeps the whole layout of a document in memory, so one PDF of
1,333 badges took 75 s and 626 MB in one request. A part is one small document (a few
seconds, bounded memory); joining finished PDFs (pypdf) costs about the size of the file.

Each step renders the next part with nothing locked, then in one short transaction locks
the job, checks the cursor has not moved, stores the part, moves the cursor and commits.
A worker killed in the middle leaves nothing of the step behind and the next worker does
it again; two workers on one job may render the same part, and only one stores it. The
joined PDF holds names: it is emptied a day after.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from pypdf import PdfWriter

from blueprints.events.models import Event
from blueprints.reports import badges as service
from blueprints.reports.models import BadgeJob, BadgeJobPart, BadgeJobState
from core.db import lock_oldest, utcnow
from core.pdf import render_pdf_detached
from extensions import db

# Badges per part: a multiple of the 8 on an A4 sheet, so no part ends on a half sheet.
PART = 96
MAX_ERRORS = 5  # steps failed in a row before the job stops and says why
ACTIVE = (BadgeJobState.QUEUED, BadgeJobState.RUNNING)
KEEP_FILE = timedelta(days=1)


def threshold() -> int:
    """Above how many badges the PDF is made in the background instead of at once."""
    return int(current_app.config["BADGE_JOB_THRESHOLD"])


def start(event: Event, choice: service.Choice, language: str, actor_id: int | None) -> BadgeJob:
    """The job that will make the PDF of `choice`'s badges (the sheet as it is now)."""
    keys = service.people(event, choice)
    job = BadgeJob(
        organisation_id=event.organisation_id,
        event_id=event.id,
        created_by_id=actor_id,
        choice=choice.as_args(),
        people=keys,
        language=language,
        badge_format=service.format_of(event),
        total=len(keys),
    )
    db.session.add(job)
    db.session.flush()
    return job


def latest(event: Event) -> BadgeJob | None:
    """The event's most recent job, for the badges page to show."""
    return db.session.scalar(
        sa.select(BadgeJob).where(BadgeJob.event_id == event.id).order_by(BadgeJob.id.desc())
    )


def render(event: Event, items: list, badge_format: str, language: str) -> bytes:
    """The PDF of these badges, outside a request (a worker)."""
    return render_pdf_detached(
        "reports/badges_pdf.html",
        language,
        event=event,
        badges=items,
        badge_format=badge_format,
        pdf=True,
    )


def _oldest() -> BadgeJob | None:
    return db.session.scalar(
        sa.select(BadgeJob).where(BadgeJob.state.in_(ACTIVE)).order_by(BadgeJob.id).limit(1)
    )


def run_step(now: datetime | None = None) -> int:
    """One step of the oldest unfinished job, committed; how many badges it handled.

    The slow part (laying out a part, joining the parts) is done while nothing is locked,
    then written in a short transaction that first checks nobody wrote that step
    meanwhile: on SQLite a write lock held for seconds would stop the door's check-ins."""
    job = _oldest()
    if job is None:
        db.session.rollback()
        return 0
    job_id, done = job.id, job.done
    try:
        if done < job.total:
            keys = job.people[done : done + PART]
            items = service.badges_of(job.event, keys, for_pdf=True)
            work = render(job.event, items, job.badge_format, job.language)
        else:
            keys, work = job.people, _join(job)
        db.session.rollback()  # end the reading transaction before writing
        job = lock_oldest(db.session, BadgeJob, BadgeJob.state, ACTIVE)
        if job is None or job.id != job_id or job.done != done:
            db.session.rollback()  # another worker wrote this step first
            return len(keys)
        handled = _write(job, keys, work, now or utcnow())
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        _record_error(job_id, error)
        raise
    return handled


def _write(job: BadgeJob, keys: list[str], work: bytes, now: datetime) -> int:
    job.state = BadgeJobState.RUNNING
    if job.done < job.total:
        db.session.add(BadgeJobPart(job_id=job.id, number=job.done // PART, data=work))
        job.done += len(keys)
        job.errors = 0
        return len(keys)
    job.pdf, job.pdf_size = work, len(work)
    db.session.execute(sa.delete(BadgeJobPart).where(BadgeJobPart.job_id == job.id))
    service.mark_printed(job.event, job.people, now)
    job.state = BadgeJobState.DONE
    job.finished_at = now
    return 1  # the joining counts as work done


def _join(job: BadgeJob) -> bytes:
    """The parts, in order, as one PDF."""
    numbers = db.session.scalars(
        sa.select(BadgeJobPart.number)
        .where(BadgeJobPart.job_id == job.id)
        .order_by(BadgeJobPart.number)
    ).all()
    writer = PdfWriter()
    for number in numbers:  # one part's bytes read at a time
        data = db.session.scalar(
            sa.select(BadgeJobPart.data).where(
                BadgeJobPart.job_id == job.id, BadgeJobPart.number == number
            )
        )
        writer.append(io.BytesIO(data))
    if not numbers:  # nobody on the sheet: the page that says so
        writer.append(io.BytesIO(render(job.event, [], job.badge_format, job.language)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _record_error(job_id: int, error: Exception) -> None:
    """Count the failed step (done again by the next round); stop after MAX_ERRORS."""
    job = db.session.get(BadgeJob, job_id)
    if job is None:
        return
    job.errors += 1
    job.last_error = f"{type(error).__name__}: {error}"[:2000]
    if job.errors >= MAX_ERRORS:
        job.state = BadgeJobState.FAILED
        db.session.execute(sa.delete(BadgeJobPart).where(BadgeJobPart.job_id == job_id))
    db.session.commit()


def forget_old_files(now: datetime | None = None) -> None:
    """Empty the PDFs finished more than KEEP_FILE ago (periodic; they hold names)."""
    before = (now or utcnow()) - KEEP_FILE
    db.session.execute(
        sa.update(BadgeJob)
        .where(BadgeJob.finished_at < before, BadgeJob.pdf_size > 0)
        .values(pdf=None, pdf_size=0)
    )


def run_background_step() -> int:
    """The workers' step (registered with core.outbox_worker)."""
    return run_step()
