"""The meeting report of an event: a printable page and a PDF in Arabic or French, with
the organisers' notes kept on the event."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import refresh

from blueprints.events.models import Event
from blueprints.reports import services
from blueprints.reports.forms import NotesForm
from core.access import role_required, scoped_get_or_404
from core.i18n import person_language
from core.pdf import pdf_response, render_pdf
from core.roles import Role
from core.templating import register_event_tab
from extensions import db

bp = Blueprint("reports", __name__)

register_event_tab("reports.report", _l("Report"), Role.ORGANISER, order=90)
REPORT_LANGUAGES = ("ar", "fr")


def _page(event: Event, lang: str, form: NotesForm, status: int = 200):
    g.forced_locale = lang
    refresh()
    data = services.build(event, lang)
    page = render_template("reports/report.html", report=data, event=event, lang=lang, form=form)
    return page, status


def _lang() -> str:
    return person_language(request.args.get("lang"), among=REPORT_LANGUAGES)


@bp.get("/events/<int:event_id>/report")
@role_required(Role.ORGANISER)
def report(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    return _page(event, _lang(), NotesForm(notes=event.report_notes))


@bp.get("/events/<int:event_id>/report.pdf")
@role_required(Role.ORGANISER)
def report_pdf(event_id: int):
    """The same report as a PDF, made on the server (Arabic shaped, right to left)."""
    event = scoped_get_or_404(Event, event_id)
    lang = _lang()
    g.forced_locale = lang
    refresh()
    data = services.build(event, lang)
    pdf = render_pdf("reports/report_pdf.html", report=data, event=event, lang=lang, pdf=True)
    return pdf_response(pdf, f"report-{event.id}-{lang}.pdf")


@bp.post("/events/<int:event_id>/report/notes")
@role_required(Role.ORGANISER)
def notes(event_id: int):
    """Saved; or the page again with the text as typed and the reason (nothing lost)."""
    event = scoped_get_or_404(Event, event_id)
    form = NotesForm()
    if not form.validate_on_submit():
        return _page(event, _lang(), form, 400)
    services.save_notes(event, form.notes.data or "")
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("reports.report", event_id=event.id, lang=_lang()))
