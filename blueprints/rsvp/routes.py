"""RSVP pages: the invitee's answer (/r/<token>), the ticket (/t/<code>), the open form,
and the organiser's registrations, questions and exports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from markupsafe import Markup

from blueprints.events.models import Event, EventStatus
from blueprints.events.services import published_event_or_none
from blueprints.rsvp import answers, errors, questionnaire, reports, seats, tickets
from blueprints.rsvp.forms import (
    InvitationAnswerForm,
    OpenRegistrationForm,
    QuestionForm,
    SettingsForm,
    answer_form,
)
from blueprints.rsvp.models import (
    CHOICE_KINDS,
    Question,
    QuestionKind,
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from core import exports
from core.access import public_rate_limit, role_required, scoped_get_or_404
from core.calendar import event_ics
from core.db import utcnow
from core.i18n import current_language, normalise_locale
from core.phones import normalise_phone
from core.qr import qr_svg
from core.roles import Role
from core.templating import Link, register_event_tab, register_labels, register_public_action
from extensions import db, limiter

bp = Blueprint("rsvp", __name__)

register_event_tab("rsvp.registrations", _l("Registrations"), Role.ORGANISER, order=20)
register_event_tab("rsvp.questions", _l("RSVP form"), Role.ORGANISER, order=25)
register_labels(
    RegistrationStatus,
    {
        RegistrationStatus.ACCEPTED: _l("Accepted"),
        RegistrationStatus.DECLINED: _l("Declined"),
        RegistrationStatus.WAITLISTED: _l("Waiting list"),
        RegistrationStatus.PENDING_CONFIRMATION: _l("Email not confirmed"),
        RegistrationStatus.PENDING_APPROVAL: _l("Awaiting approval"),
        RegistrationStatus.REJECTED: _l("Rejected"),
        RegistrationStatus.CANCELLED: _l("Cancelled"),
    },
)
register_labels(
    RegistrationSource,
    {
        RegistrationSource.INVITATION: _l("Invitation"),
        RegistrationSource.OPEN_FORM: _l("Open form"),
        RegistrationSource.WALK_IN: _l("Walk-in"),
    },
)
register_labels(
    QuestionKind,
    {
        QuestionKind.SHORT_TEXT: _l("Short text"),
        QuestionKind.LONG_TEXT: _l("Long text"),
        QuestionKind.SINGLE_CHOICE: _l("One choice"),
        QuestionKind.MULTIPLE_CHOICE: _l("Several choices"),
        QuestionKind.YES_NO: _l("Yes or no"),
        QuestionKind.NUMBER: _l("Number"),
        QuestionKind.PHONE: _l("Phone"),
        QuestionKind.EMAIL: _l("Email"),
        QuestionKind.DATE: _l("Date"),
    },
)


def _register_button(event: Event) -> Link | None:
    if answers.open_form_available(event):
        return Link(_l("Register"), url_for("rsvp.register", public_id=event.public_id))
    return None


register_public_action(_register_button)


def _use_language(locale: str | None) -> None:
    """The person's own language, unless they picked another one (?lang= or the switcher)."""
    if request.args.get("lang") or session.get("lang"):
        return
    if normalise_locale(locale):
        g.forced_locale = locale
        refresh()


def _consent_text(event: Event) -> str:
    organisation = event.organisation
    lang = current_language()
    text = getattr(organisation, f"consent_text_{lang}", "") or ""
    return text or _(
        "I agree that %(organisation)s keeps my answers to organise this meeting "
        "(law 09-08 on personal data). I can ask to see, correct or delete them.",
        organisation=organisation.name_ar if lang == "ar" else organisation.name_fr,
    )


def _initial(registration: Registration | None, questions: list[Question]) -> dict:
    if registration is None:
        return {}
    data = {"companions": [c.full_name for c in registration.companion_list]}
    if registration.status in (RegistrationStatus.ACCEPTED, RegistrationStatus.WAITLISTED):
        data["answer"] = "accept"
        data["consent"] = registration.consent_at is not None
    elif registration.status in (RegistrationStatus.DECLINED, RegistrationStatus.CANCELLED):
        data["answer"] = "decline"
        data["decline_reason"] = registration.decline_reason
    answers = {a.question_id: a.value for a in registration.answers}
    for question in questions:
        value = answers.get(question.id, "")
        if not value:
            continue
        name = f"q_{question.id}"
        if question.kind == QuestionKind.MULTIPLE_CHOICE:
            data[name] = value.split(",")
        elif question.kind == QuestionKind.NUMBER:
            try:
                data[name] = Decimal(value)
            except InvalidOperation:
                continue
        elif question.kind == QuestionKind.DATE:
            try:
                data[name] = date.fromisoformat(value)
            except ValueError:
                continue
        else:
            data[name] = value
    return data


# --------------------------------------------------------------------------- the invitee


@bp.route("/r/<token>", methods=["GET", "POST"])
@limiter.limit(public_rate_limit)
def answer(token: str):
    invitation = answers.invitation_by_token(token)
    if invitation is None or invitation.event.status == EventStatus.DRAFT:
        abort(404)
    event = invitation.event
    _use_language(invitation.member.locale if invitation.member else None)
    registration = answers.registration_for_invitation(invitation)
    questions = questionnaire.questions_for(event.id)
    initial = _initial(registration, questions)
    if request.args.get("answer") in ("accept", "decline"):
        initial["answer"] = request.args["answer"]
    form = answer_form(
        InvitationAnswerForm, questions, current_language(), event.max_companions, data=initial
    )
    is_open = event.rsvp_open()
    if request.method == "POST" and not is_open:
        flash(_("Answers for this event are closed."), "warning")
    elif is_open and form.validate_on_submit():
        data = answers.RsvpData(
            accept=form.answer.data == "accept",
            locale=current_language(),
            companion_names=form.companion_names(),
            consent=bool(form.consent.data),
            decline_reason=form.decline_reason.data or "",
            answers=form.answers(),
        )
        try:
            registration = answers.respond(invitation, data)
        except errors.RsvpError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            return _after_answer(registration, token)
    status = 200 if request.method == "GET" or not form.errors else 422
    return (
        render_template(
            "rsvp/answer.html",
            invitation=invitation,
            event=event,
            registration=registration,
            form=form,
            is_open=is_open,
            consent_text=_consent_text(event),
            position=seats.waitlist_position(registration) if registration else None,
        ),
        status,
    )


def _after_answer(registration: Registration, token: str):
    if registration.status == RegistrationStatus.ACCEPTED:
        flash(
            _("Thank you: your place is confirmed. Your ticket is also on its way by email."),
            "success",
        )
        return redirect(url_for("rsvp.ticket", code=registration.ticket_code))
    if registration.status == RegistrationStatus.WAITLISTED:
        flash(_("The hall is full: you are on the waiting list."), "warning")
    else:
        flash(_("Thank you for your answer."), "success")
    return redirect(url_for("rsvp.answer", token=token))


# --------------------------------------------------------------------------- the ticket


def _ticket_or_404(code: str) -> Registration:
    registration = answers.registration_by_code(code)
    if registration is None:
        abort(404)
    return registration


@bp.get("/t/<code>")
@limiter.limit(public_rate_limit)
def ticket(code: str):
    registration = answers.registration_by_code(code)
    if registration is None:
        if answers.is_revoked_code(code):
            return render_template("rsvp/ticket_revoked.html"), 410
        abort(404)
    _use_language(registration.locale)
    url = tickets.ticket_url(registration.ticket_code)
    return render_template(
        "rsvp/ticket.html",
        registration=registration,
        event=registration.event,
        qr=Markup(qr_svg(url)),  # noqa: S704 - our own SVG of our own URL, no user text
        ticket_url=url,
    )


@bp.get("/t/<code>/event.ics")
@limiter.limit(public_rate_limit)
def ticket_ics(code: str):
    registration = _ticket_or_404(code)
    url = tickets.ticket_url(registration.ticket_code)
    body = event_ics(
        registration.event, registration.locale, url, uid_suffix=f"-r{registration.id}"
    )
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="event.ics"'},
    )


@bp.post("/t/<code>/cancel")
@limiter.limit(public_rate_limit)
def ticket_cancel(code: str):
    registration = _ticket_or_404(code)
    _use_language(registration.locale)
    try:
        answers.cancel_place(registration)
    except errors.RsvpError as error:
        db.session.rollback()
        flash(str(error), "danger")
        return redirect(url_for("rsvp.ticket", code=code))
    db.session.commit()
    flash(_("Your place is cancelled. Thank you for telling us."), "success")
    if registration.invitation is not None:
        return redirect(url_for("rsvp.answer", token=registration.invitation.token))
    return render_template("rsvp/cancelled.html", event=registration.event)


# --------------------------------------------------------------------------- open registration


@bp.route("/e/<public_id>/register", methods=["GET", "POST"])
@limiter.limit(public_rate_limit)
def register(public_id: str):
    event = published_event_or_none(public_id)
    if event is None or not answers.open_form_available(event):
        abort(404)
    if request.method == "GET" and request.args.get("sent"):
        return render_template("rsvp/check_email.html", event=event)
    questions = questionnaire.questions_for(event.id)
    form = answer_form(OpenRegistrationForm, questions, current_language(), event.max_companions)
    if form.validate_on_submit():
        if form.website.data:
            # Filled by a robot: say the usual thing, keep nothing.
            return redirect(url_for("rsvp.register", public_id=public_id, sent=1))
        visitor = answers.Visitor(
            full_name=form.full_name.data,
            email=form.email.data,
            phone=normalise_phone(form.phone.data),
            company=form.company.data or "",
            trade=form.trade.data or "",
        )
        data = answers.RsvpData(
            accept=True,
            locale=current_language(),
            companion_names=form.companion_names(),
            consent=bool(form.consent.data),
            answers=form.answers(),
        )
        try:
            answers.register_openly(event, visitor, data)
        except errors.RsvpError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            return redirect(url_for("rsvp.register", public_id=public_id, sent=1))
    status = 422 if form.errors else 200
    return (
        render_template(
            "rsvp/register.html", event=event, form=form, consent_text=_consent_text(event)
        ),
        status,
    )


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(public_rate_limit)
def confirm(token: str):
    confirmation = answers.confirmation_by_token(token)
    if confirmation is None:
        abort(404)
    registration = confirmation.registration
    _use_language(registration.locale)
    expired = confirmation.confirmed_at is None and confirmation.expires_at <= utcnow()
    if request.method == "POST" and not expired:
        try:
            registration = answers.confirm(confirmation)
        except errors.RsvpError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            if registration.status == RegistrationStatus.ACCEPTED:
                flash(
                    _("Your place is confirmed. Your ticket is also on its way by email."),
                    "success",
                )
                return redirect(url_for("rsvp.ticket", code=registration.ticket_code))
            return redirect(url_for("rsvp.confirm", token=token))
    return (
        render_template(
            "rsvp/confirm.html",
            confirmation=confirmation,
            registration=registration,
            event=registration.event,
            expired=expired,
            position=seats.waitlist_position(registration),
        ),
        410 if expired else 200,
    )


# --------------------------------------------------------------------------- the organiser


def _event_registration(event_id: int, registration_id: int) -> tuple[Event, Registration]:
    event = scoped_get_or_404(Event, event_id)
    registration = scoped_get_or_404(Registration, registration_id)
    if registration.event_id != event.id:
        abort(404)
    return event, registration


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
    data = exports.render(header, rows, fmt, title="Registrations")
    return exports.download(data, fmt, f"registrations-{event.public_id}")


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
    event = scoped_get_or_404(Event, event_id)
    question = scoped_get_or_404(Question, question_id)
    if question.event_id != event.id:
        abort(404)
    return event, question


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
