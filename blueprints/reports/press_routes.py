"""The press release of an event: edited on a page, kept per language, exported as PDF,
.docx and plain text."""

from __future__ import annotations

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import refresh

from blueprints.events.models import Event
from blueprints.reports import press
from blueprints.reports.forms import PressReleaseForm, RegenerateForm
from blueprints.reports.models import RELEASE_LANGUAGES
from blueprints.reports.press_docx import write_docx
from core.access import role_required, scoped_get_or_404
from core.pdf import pdf_response, render_pdf
from core.roles import Role
from core.templating import register_event_tab
from extensions import db

bp = Blueprint("press", __name__)

register_event_tab("press.edit", _l("Press release"), Role.ORGANISER, order=91)
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _lang() -> str:
    lang = request.args.get("lang", "")
    return lang if lang in RELEASE_LANGUAGES else "ar"


def _page(event: Event, form: PressReleaseForm, regenerate: RegenerateForm, status: int = 200):
    lang = _lang()
    draft = press.current(event, lang)
    if form.title.data is None and form.body.data is None:  # not typed: what is kept
        form.title.data, form.body.data = draft.title, draft.body
    page = render_template(
        "reports/press_release.html",
        event=event, lang=lang, draft=draft, form=form, regenerate=regenerate,
    )  # fmt: skip
    return page, status


@bp.route("/events/<int:event_id>/press-release", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def edit(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    form = PressReleaseForm(formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        press.save(event, _lang(), form.title.data or "", form.body.data or "")
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("press.edit", event_id=event.id, lang=_lang()))
    return _page(event, form, RegenerateForm(), 400 if form.is_submitted() else 200)


@bp.post("/events/<int:event_id>/press-release/regenerate")
@role_required(Role.ORGANISER)
def regenerate(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    form = RegenerateForm()
    if not form.validate_on_submit():
        return _page(event, PressReleaseForm(formdata=None), form, 400)
    try:
        press.regenerate(event, _lang(), confirmed=bool(form.confirm.data))
    except press.EditsWouldBeLost as error:
        form.confirm.errors = [str(error)]
        return _page(event, PressReleaseForm(formdata=None), form, 409)
    db.session.commit()
    flash(_("The text was built again from the event's data."), "success")
    return redirect(url_for("press.edit", event_id=event.id, lang=_lang()))


def _draft(event_id: int) -> tuple[Event, press.Draft]:
    event = scoped_get_or_404(Event, event_id)
    g.forced_locale = _lang()  # the document's language, whatever the organiser's
    refresh()
    return event, press.current(event, _lang())


@bp.get("/events/<int:event_id>/press-release.pdf")
@role_required(Role.ORGANISER)
def as_pdf(event_id: int):
    event, draft = _draft(event_id)
    data = render_pdf("reports/press_release_pdf.html", event=event, draft=draft)
    return pdf_response(data, f"press-release-{event.id}-{draft.language}.pdf")


@bp.get("/events/<int:event_id>/press-release.docx")
@role_required(Role.ORGANISER)
def as_docx(event_id: int):
    event, draft = _draft(event_id)
    response = Response(write_docx(draft.title, draft.body, draft.language), mimetype=DOCX_MIMETYPE)
    name = f"press-release-{event.id}-{draft.language}.docx"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/events/<int:event_id>/press-release.txt")
@role_required(Role.ORGANISER)
def as_text(event_id: int):
    """The text to copy into an email or a website: shown in the browser, UTF-8."""
    _event, draft = _draft(event_id)
    response = Response(f"{draft.title}\n\n{draft.body}\n", mimetype="text/plain")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
