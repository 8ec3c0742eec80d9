"""Printed name badges of an event: an A4 page to print, and the same sheet as a PDF."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l

from blueprints.events.models import Event
from blueprints.reports import badges as service
from core.access import role_required, scoped_get_or_404
from core.pdf import pdf_response, render_pdf
from core.roles import Role
from core.templating import register_event_tab

bp = Blueprint("badges", __name__)

register_event_tab("badges.sheet", _l("Badges"), Role.ORGANISER, order=92)


def _choice() -> dict:
    """The sheet's options from the query string: who (all, arrived), person (r<id>, c<id>)."""
    who = request.args.get("who", "all")
    return {
        "who": who if who in service.WHO else "all",
        "person": request.args.get("person", "")[:20],
    }


# Door staff too: they print a badge for a walk-in or for a lost one.
@bp.get("/events/<int:event_id>/badges")
@role_required(Role.DOOR)
def sheet(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    choice = _choice()
    items = service.badges(event, **choice)
    return render_template("reports/badges.html", event=event, badges=items, choice=choice)


@bp.get("/events/<int:event_id>/badges.pdf")
@role_required(Role.DOOR)
def as_pdf(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    items = service.badges(event, **_choice())
    data = render_pdf("reports/badges_pdf.html", event=event, badges=items, pdf=True)
    return pdf_response(data, f"badges-{event.id}.pdf")
