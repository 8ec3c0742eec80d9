"""The organiser's RSVP pages: registrations and their actions, summary, exports, questions."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from blueprints.events.models import Event
from blueprints.rsvp import errors, questionnaire, reports, seats
from blueprints.rsvp.forms import (
    QuestionForm,
    SettingsForm,
)
from blueprints.rsvp.models import (
    CHOICE_KINDS,
    Question,
    QuestionKind,
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from blueprints.rsvp.routes import bp
from core import exports
from core.access import role_required, scoped_child_or_404, scoped_get_or_404
from core.i18n import current_language
from core.roles import Role
from extensions import db


def _event_registration(event_id: int, registration_id: int) -> tuple[Event, Registration]:
    return scoped_child_or_404(Event, event_id, Registration, registration_id)


@bp.get("/events/<int:event_id>/registrations")
@role_required(Role.ORGANISER)
def registrations(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    stmt = reports.registrations_query(
        event, request.args.get("status"), request.args.get("source"), request.args.get("q", "")
    )
    page = db.paginate(
        stmt,
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return render_template(
        "rsvp/registrations.html",
        event=event,
        page=page,
        counts=reports.counts(event),
        questions={q.id: q for q in questionnaire.questions_for(event.id)},
        statuses=list(RegistrationStatus),
        sources=list(RegistrationSource),
        display_value=questionnaire.display_value,
    )


@bp.get("/events/<int:event_id>/registrations/summary")
@role_required(Role.ORGANISER)
def summary(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    return render_template(
        "rsvp/summary.html",
        event=event,
        summaries=reports.summaries(event, current_language()),
        counts=reports.counts(event),
        choice_kinds=CHOICE_KINDS,
    )


@bp.get("/events/<int:event_id>/registrations/export.<fmt>")
@role_required(Role.ORGANISER)
def export(event_id: int, fmt: str):
    event = scoped_get_or_404(Event, event_id)
    if fmt not in ("csv", "xlsx"):
        abort(404)
    header, rows = reports.export_rows(event, current_language())
    return exports.send(header, rows, fmt, f"registrations-{event.public_id}", "Registrations")


ACTIONS = {
    "promote": (
        seats.promote_by_hand,
        _l("Moved up from the waiting list; the ticket is on its way."),
    ),
    "revoke": (seats.revoke_ticket, _l("The ticket was revoked: its code no longer works.")),
    "reissue": (
        seats.reissue_ticket,
        _l("A new ticket was issued and emailed; the old one no longer works."),
    ),
    "approve": (seats.approve, _l("Approved.")),
    "reject": (seats.reject, _l("Rejected; the person will be told by email.")),
}


ACTION_RULE = "<any(promote, revoke, reissue, approve, reject):action>"


@bp.post(f"/events/<int:event_id>/registrations/<int:registration_id>/{ACTION_RULE}")
@role_required(Role.ORGANISER)
def registration_action(event_id: int, registration_id: int, action: str):
    event, registration = _event_registration(event_id, registration_id)
    act, done = ACTIONS[action]
    try:
        act(registration)
    except errors.RsvpError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(str(done), "success")
    return redirect(url_for("rsvp.registrations", event_id=event.id, **_list_args()))


def _list_args() -> dict:
    return {k: v for k, v in request.args.items() if k in ("status", "source", "q", "page")}


def _question_data(form: QuestionForm) -> questionnaire.QuestionData:
    return questionnaire.QuestionData(
        kind=QuestionKind(form.kind.data),
        label_ar=form.label_ar.data or "",
        label_fr=form.label_fr.data or "",
        help_ar=form.help_ar.data or "",
        help_fr=form.help_fr.data or "",
        choices_ar=form.choices_ar.data or "",
        choices_fr=form.choices_fr.data or "",
        required=bool(form.required.data),
        is_concern=bool(form.is_concern.data),
    )


@bp.route("/events/<int:event_id>/questions", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def questions(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            questionnaire.add_question(event, _question_data(form))
        except errors.RsvpError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("The question was added."), "success")
            return redirect(url_for("rsvp.questions", event_id=event.id))
    settings = questionnaire.settings_for(event)
    settings_form = SettingsForm(
        formdata=None,
        open_registration=settings.open_registration,
        requires_approval=settings.requires_approval,
    )
    return render_template(
        "rsvp/questions.html",
        event=event,
        form=form,
        settings_form=settings_form,
        questions=questionnaire.questions_for(event.id),
    ), (422 if form.errors else 200)


@bp.route("/events/<int:event_id>/questions/<int:question_id>", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def question_edit(event_id: int, question_id: int):
    event, question = _event_question(event_id, question_id)
    form = QuestionForm(obj=question)
    if request.method == "GET":
        form.kind.data = question.kind.value
    if form.validate_on_submit():
        try:
            questionnaire.update_question(question, _question_data(form))
        except errors.RsvpError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("rsvp.questions", event_id=event.id))
    return render_template("rsvp/question_form.html", event=event, form=form, question=question)


def _event_question(event_id: int, question_id: int) -> tuple[Event, Question]:
    return scoped_child_or_404(Event, event_id, Question, question_id)


@bp.post("/events/<int:event_id>/questions/<int:question_id>/delete")
@role_required(Role.ORGANISER)
def question_delete(event_id: int, question_id: int):
    event, question = _event_question(event_id, question_id)
    questionnaire.delete_question(question)
    db.session.commit()
    flash(_("The question and its answers were deleted."), "success")
    return redirect(url_for("rsvp.questions", event_id=event.id))


@bp.post("/events/<int:event_id>/questions/<int:question_id>/<any(up, down):direction>")
@role_required(Role.ORGANISER)
def question_move(event_id: int, question_id: int, direction: str):
    event, question = _event_question(event_id, question_id)
    questionnaire.move_question(question, -1 if direction == "up" else 1)
    db.session.commit()
    return redirect(url_for("rsvp.questions", event_id=event.id))


@bp.post("/events/<int:event_id>/rsvp-settings")
@role_required(Role.ORGANISER)
def settings(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    form = SettingsForm()
    if form.validate_on_submit():
        questionnaire.save_settings(
            event, bool(form.open_registration.data), bool(form.requires_approval.data)
        )
        db.session.commit()
        flash(_("Saved."), "success")
    return redirect(url_for("rsvp.questions", event_id=event.id))
