"""Printed name badges of an event: an A4 or A6 page to print, and the same sheet as a PDF,
made at once for a few badges and in the background for many (reports/badge_jobs.py)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from blueprints.events.models import Event
from blueprints.members.forms import category_choices
from blueprints.reports import badge_jobs
from blueprints.reports import badges as service
from blueprints.reports.models import BadgeJob, BadgeJobState
from core.access import role_required, scoped_child_or_404, scoped_get_or_404
from core.db import utcnow
from core.i18n import current_language
from core.pdf import pdf_response, render_pdf
from core.roles import Role
from core.templating import register_event_tab, register_labels
from extensions import db

bp = Blueprint("badges", __name__)

register_event_tab("badges.sheet", _l("Badges"), Role.ORGANISER, order=92)
register_labels(
    BadgeJobState,
    {
        BadgeJobState.QUEUED: _l("Waiting for a worker"),
        BadgeJobState.RUNNING: _l("In progress"),
        BadgeJobState.DONE: _l("Finished"),
        BadgeJobState.FAILED: _l("Stopped"),
    },
)


# Door staff too: they print a badge for a walk-in or for a lost one.
@bp.get("/events/<int:event_id>/badges")
@role_required(Role.DOOR)
def sheet(event_id: int):
    """The sheet to print; for a large one, the first badges and the background PDF."""
    event = scoped_get_or_404(Event, event_id)
    choice = service.Choice.read(request.args)
    keys = service.people(event, choice)
    shown = service.badges_of(event, keys[: badge_jobs.threshold()])
    return render_template(
        "reports/badges.html",
        event=event,
        badges=shown,
        total=len(keys),
        choice=choice,
        large=len(keys) > badge_jobs.threshold(),
        job=badge_jobs.latest(event),
        categories=[*category_choices(), (service.COMPANION, _("Companion"))],
        badge_format=service.format_of(event),
    )


@bp.get("/events/<int:event_id>/badges.pdf")
@role_required(Role.DOOR)
def as_pdf(event_id: int):
    """The PDF at once, for up to BADGE_JOB_THRESHOLD badges (a large one: the job)."""
    event = scoped_get_or_404(Event, event_id)
    choice = service.Choice.read(request.args)
    keys = service.people(event, choice)
    if len(keys) > badge_jobs.threshold():
        flash(_("This sheet is large: prepare its PDF below, it is made in the background."))
        return redirect(url_for("badges.sheet", event_id=event.id, **choice.as_args()))
    items = service.badges_of(event, keys, for_pdf=True)
    badge_format = service.format_of(event)
    data = render_pdf(
        "reports/badges_pdf.html", event=event, badges=items, badge_format=badge_format, pdf=True
    )
    service.mark_printed(event, keys, utcnow())
    db.session.commit()
    return pdf_response(data, f"badges-{event.id}.pdf")


@bp.post("/events/<int:event_id>/badges/format")
@role_required(Role.ORGANISER)
def set_format(event_id: int):
    """The event's badge format (eight on an A4 sheet, or one per A6 page)."""
    event = scoped_get_or_404(Event, event_id)
    if service.set_format(event, request.form.get("badge_format", "")):
        db.session.commit()
        flash(_("Saved."), "success")
    else:
        flash(_("Choose one of the formats offered."), "danger")
    choice = service.Choice.read(request.form)
    return redirect(url_for("badges.sheet", event_id=event.id, **choice.as_args()))


@bp.post("/events/<int:event_id>/badges/jobs")
@role_required(Role.ORGANISER)
def start_job(event_id: int):
    """Make the PDF of a large sheet in the background; its progress page follows."""
    event = scoped_get_or_404(Event, event_id)
    choice = service.Choice.read(request.form)
    job = badge_jobs.start(event, choice, current_language(), current_user.id)
    db.session.commit()
    return redirect(url_for("badges.job", event_id=event.id, job_id=job.id))


@bp.get("/events/<int:event_id>/badges/jobs/<int:job_id>")
@role_required(Role.ORGANISER)
def job(event_id: int, job_id: int):
    """A large sheet's progress (the page reloads itself until the PDF is ready)."""
    event, badge_job = scoped_child_or_404(Event, event_id, BadgeJob, job_id)
    return render_template("reports/badge_job.html", event=event, job=badge_job)


@bp.get("/events/<int:event_id>/badges/jobs/<int:job_id>/badges.pdf")
@role_required(Role.ORGANISER)
def job_pdf(event_id: int, job_id: int):
    """The finished PDF, while it is kept (a day)."""
    event, badge_job = scoped_child_or_404(Event, event_id, BadgeJob, job_id)
    if badge_job.state != BadgeJobState.DONE or not badge_job.pdf_size:
        abort(404)
    return pdf_response(badge_job.pdf, f"badges-{event.id}-{badge_job.id}.pdf")
