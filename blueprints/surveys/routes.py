"""Survey pages: the organiser's survey tab, editor and results; the public answer page."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from blueprints.events.models import Event
from blueprints.surveys import answering, editor, schedule, services
from blueprints.surveys import results as surveys_results
from blueprints.surveys.forms import (
    KIND_LABELS,
    QuestionForm,
    SettingsForm,
    answers_from,
    field_name,
    form_data_from,
    response_form_class,
)
from blueprints.surveys.models import QuestionKind, SurveyQuestion, SurveyStatus
from core import exports, i18n
from core.access import public_rate_limit, role_required, scoped_get_or_404
from core.links import LinkKind, link_problem
from core.roles import Role
from core.templating import register_event_tab, register_labels
from extensions import db, limiter

bp = Blueprint("surveys", __name__)
register_labels(
    "email", {"survey_invite": _l("Survey invitation"), "survey_reminder": _l("Survey reminder")}
)

register_event_tab("surveys.manage", _l("Survey"), Role.ORGANISER, order=60)
register_labels(
    SurveyStatus,
    {
        SurveyStatus.DRAFT: _l("Being prepared"),
        SurveyStatus.OPEN: _l("Open"),
        SurveyStatus.CLOSED: _l("Closed"),
    },
)
register_labels(QuestionKind, KIND_LABELS)


def _load(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    survey = services.survey_for(event)
    if survey is None:
        abort(404)
    return event, survey


def _question(survey, question_id: int) -> SurveyQuestion:
    question = db.session.get(SurveyQuestion, question_id)
    if question is None or question.survey_id != survey.id:
        abort(404)
    return question


def _act(event_id: int, action, done: str):
    """Run one survey service, commit once, report, back to the survey tab."""
    survey = _load(event_id)[1]
    try:
        action(survey)
    except services.SurveyError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("surveys.manage", event_id=event_id))


# --------------------------------------------------------------------------- organiser


@bp.get("/events/<int:event_id>/survey")
@role_required(Role.ORGANISER)
def manage(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    survey = services.survey_for(event)
    form = SettingsForm(obj=survey) if survey else None
    context = {}
    if survey:
        context = {
            "scheduled_at": schedule.scheduled_at(survey),
            "responses": services.response_count(survey),
            "invited": schedule.attendee_count(event),
            "sent": surveys_results.sent_count(survey),
        }
    return render_template(
        "surveys/manage.html",
        event=event,
        survey=survey,
        form=form,
        min_group=surveys_results.MIN_GROUP,
        **context,
    )


@bp.post("/events/<int:event_id>/survey/create")
@role_required(Role.ORGANISER)
def create(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    services.create_survey(event)
    db.session.commit()
    flash(
        _("The survey was created from the default questions. Check them, then open it."), "success"
    )
    return redirect(url_for("surveys.manage", event_id=event.id))


@bp.post("/events/<int:event_id>/survey/settings")
@role_required(Role.ORGANISER)
def settings(event_id: int):
    event, survey = _load(event_id)
    form = SettingsForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "danger")
        return redirect(url_for("surveys.manage", event_id=event.id))
    return _act(event_id, lambda s: services.update_settings(s, form.settings()), _("Saved."))


@bp.post("/events/<int:event_id>/survey/open")
@role_required(Role.ORGANISER)
def open_(event_id: int):
    return _act(
        event_id,
        services.open_survey,
        _("The survey is open: it goes to the attendees who were checked in, on schedule."),
    )


@bp.post("/events/<int:event_id>/survey/close")
@role_required(Role.ORGANISER)
def close(event_id: int):
    page = _act(event_id, services.close_survey, _("The survey is closed."))
    services.vacuum_after_reseal()  # after the commit: the reseal's old row versions go
    return page


@bp.post("/events/<int:event_id>/survey/send-now")
@role_required(Role.ORGANISER)
def send_now(event_id: int):
    return _act(event_id, services.send_now, _("The survey is being sent now."))


@bp.route("/events/<int:event_id>/survey/questions/new", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def question_new(event_id: int):
    event, survey = _load(event_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            editor.add_question(survey, form.question_data())
        except services.SurveyError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("The question was added."), "success")
            return redirect(url_for("surveys.manage", event_id=event.id))
    return render_template("surveys/question_form.html", event=event, form=form, question=None)


@bp.route("/events/<int:event_id>/survey/questions/<int:question_id>", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def question_edit(event_id: int, question_id: int):
    event, survey = _load(event_id)
    question = _question(survey, question_id)
    form = QuestionForm(obj=question)
    if request.method == "GET":
        form.kind.data = question.kind.value
    if form.validate_on_submit():
        try:
            editor.update_question(question, form.question_data())
        except services.SurveyError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("surveys.manage", event_id=event.id))
    return render_template("surveys/question_form.html", event=event, form=form, question=question)


@bp.post("/events/<int:event_id>/survey/questions/<int:question_id>/delete")
@role_required(Role.ORGANISER)
def question_delete(event_id: int, question_id: int):
    survey = _load(event_id)[1]
    question = _question(survey, question_id)
    return _act(event_id, lambda s: editor.delete_question(question), _("Deleted."))


@bp.post("/events/<int:event_id>/survey/questions/<int:question_id>/<any(up, down):direction>")
@role_required(Role.ORGANISER)
def question_move(event_id: int, question_id: int, direction: str):
    survey = _load(event_id)[1]
    question = _question(survey, question_id)
    step = -1 if direction == "up" else 1
    return _act(event_id, lambda s: editor.move_question(question, step), _("Saved."))


def _filters() -> dict:
    return {
        "category": request.args.get("category", "")[:40],
        "trade": request.args.get("trade", "")[:60],
    }


@bp.get("/events/<int:event_id>/survey/results")
@role_required(Role.ORGANISER)
def results(event_id: int):
    event, survey = _load(event_id)
    search = request.args.get("q", "")[:200]
    lang = i18n.current_language()
    data = surveys_results.compute_results(survey, lang, search=search, **_filters())
    categories, trades = surveys_results.filter_options(survey)
    return render_template(
        "surveys/results.html",
        event=event,
        survey=survey,
        results=data,
        search=search,
        categories=categories,
        trades=trades,
        filters=_filters(),
        min_group=surveys_results.MIN_GROUP,
    )


@bp.get("/events/<int:event_id>/survey/export.<any(csv, xlsx):fmt>")
@role_required(Role.ORGANISER)
def export(event_id: int, fmt: str):
    event, survey = _load(event_id)
    header, rows = surveys_results.export_rows(survey, i18n.current_language(), **_filters())
    return exports.send(header, rows, fmt, f"survey-{event.id}", _("Survey"))


@bp.get("/events/<int:event_id>/survey/report")
@role_required(Role.ORGANISER)
def report(event_id: int):
    """One printable page for the partner administration (?lang=ar or ?lang=fr)."""
    event, survey = _load(event_id)
    lang = i18n.current_language()
    data = surveys_results.compute_results(survey, lang)
    return render_template("surveys/report.html", event=event, survey=survey, results=data)


# --------------------------------------------------------------------------- public


@bp.route("/s/<token>", methods=["GET", "POST"])
@limiter.limit(public_rate_limit)
def respond(token: str):
    invite = answering.invite_by_token(token)
    if invite is None:
        return link_problem(LinkKind.SURVEY)
    survey = invite.survey
    if not request.args.get("lang"):
        g.forced_locale = invite.locale  # the person's language unless they switch
    lang = i18n.current_language()
    if survey.status != SurveyStatus.OPEN:
        return render_template("surveys/closed.html", survey=survey, lang=lang), 410
    if survey.anonymous and invite.responded:  # recorded, and no longer linked to them
        return _recorded(survey, lang, token)
    existing = answering.response_of(invite)
    form_class = response_form_class(survey, lang)
    prefill = form_data_from(survey, existing.answers) if existing else None
    form = form_class(data=prefill) if request.method == "GET" else form_class()
    if form.validate_on_submit():
        return _submit(invite, token, form, lang)
    return render_template(
        "surveys/respond.html",
        survey=survey,
        form=form,
        field_name=field_name,
        lang=lang,
        token=token,
        saved=request.args.get("saved") == "1" and existing is not None,
        answered=existing is not None,
    ), (400 if request.method == "POST" else 200)


def _recorded(survey, lang: str, token: str):
    saved = request.args.get("saved") == "1"
    return render_template(
        "surveys/recorded.html", survey=survey, lang=lang, saved=saved, token=token
    )


def _submit(invite, token: str, form, lang: str):
    survey = invite.survey
    contact_me = bool(getattr(form, "contact_me", None) and form.contact_me.data)
    try:
        answering.submit_response(invite, answers_from(form, survey), contact_me=contact_me)
    except answering.AlreadyAnswered:
        db.session.rollback()  # a second submission of the same link: the first one counts
    except services.SurveyClosed:
        db.session.rollback()
        return render_template("surveys/closed.html", survey=survey, lang=lang), 410
    else:
        db.session.commit()
    args = {"token": token, "saved": 1, "lang": request.args.get("lang")}
    return redirect(url_for("surveys.respond", **args))
