"""The invitee's pages: the answer (/r/<token>), the ticket (/t/<code>), the open form
(/e/<public_id>/register) and its confirmation. Rate-limited, no sign-in."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask import (
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from blueprints.events.models import Event, EventStatus
from blueprints.events.services import published_event_or_none
from blueprints.invitations.services import invitation_by_token
from blueprints.rsvp import answers, errors, questionnaire, seats, tickets
from blueprints.rsvp.forms import (
    InvitationAnswerForm,
    OpenRegistrationForm,
    answer_form,
)
from blueprints.rsvp.models import (
    Question,
    QuestionKind,
    Registration,
    RegistrationStatus,
)
from blueprints.rsvp.routes import bp
from core.access import public_rate_limit
from core.calendar import event_ics
from core.db import utcnow
from core.i18n import current_language, use_person_language
from core.links import LinkKind, LinkProblem, link_problem
from core.qr import qr_svg
from core.templating import Link, register_public_action
from extensions import db, limiter


def _register_button(event: Event) -> Link | None:
    if answers.open_form_available(event):
        return Link(_l("Register"), url_for("rsvp.register", public_id=event.public_id))
    return None


register_public_action(_register_button)


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
    invitation = invitation_by_token(token)
    if invitation is None or invitation.event.status == EventStatus.DRAFT:
        return link_problem(LinkKind.RSVP)
    event = invitation.event
    use_person_language(invitation.member.locale if invitation.member else None)
    registration = answers.registration_for_invitation(invitation)
    form = _answer_form(event, registration)
    is_open = event.rsvp_open()
    if request.method == "POST" and not is_open:
        flash(_("Answers for this event are closed."), "warning")
    elif is_open and form.validate_on_submit():
        data = form.rsvp_data(current_language())
        try:
            registration = answers.respond(invitation, data)
        except errors.RsvpError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            # The page to go to is read before the commit, which would expire the
            # registration and cost three more SELECTs in a ticket rush.
            response = _after_answer(registration, token)
            db.session.commit()
            return response
    return _answer_page(invitation, registration, form, is_open)


def _answer_page(invitation, registration: Registration | None, form, is_open: bool):
    page = render_template(
        "rsvp/answer.html",
        invitation=invitation,
        event=invitation.event,
        registration=registration,
        form=form,
        is_open=is_open,
        consent_text=_consent_text(invitation.event),
        position=seats.waitlist_position(registration) if registration else None,
    )
    return page, (200 if request.method == "GET" or not form.errors else 422)


def _answer_form(event: Event, registration: Registration | None) -> InvitationAnswerForm:
    """The form, filled with the earlier answer (or the one chosen in the email's link)."""
    questions = questionnaire.questions_for(event.id)
    initial = _initial(registration, questions)
    if request.args.get("answer") in ("accept", "decline"):
        initial["answer"] = request.args["answer"]
    return answer_form(
        InvitationAnswerForm, questions, current_language(), event.max_companions, data=initial
    )


def _after_answer(registration: Registration, token: str):
    if registration.status == RegistrationStatus.ACCEPTED and not registration.ticket_code_hash:
        # The organisers withdrew the ticket: the place is held, a new ticket is theirs to give.
        flash(
            _(
                "Your place is held, but your ticket was withdrawn by the organisers. "
                "Please contact them for a new one."
            ),
            "warning",
        )
        return redirect(url_for("rsvp.answer", token=token))
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


def _ticket_or_link_problem(code: str) -> Registration:
    """The registration a ticket code opens; else the shared page for a link that does not
    open (a replaced ticket says so, in its holder's language), for every ticket route."""
    registration = answers.registration_by_code(code)
    if registration is not None:
        return registration
    holder = answers.revoked_code_holder(code)
    if holder is None:
        abort(make_response(link_problem(LinkKind.TICKET)))
    problem = link_problem(  # the person who held it, in their language
        LinkKind.TICKET,
        LinkProblem.REVOKED,
        organisation=holder.event.organisation,
        locale=holder.locale,
    )
    abort(make_response(problem))


@bp.get("/t/<code>")
@limiter.limit(public_rate_limit)
def ticket(code: str):
    registration = _ticket_or_link_problem(code)
    use_person_language(registration.locale)
    url = tickets.ticket_url(code)  # the very code looked up: no need to unseal it
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
    registration = _ticket_or_link_problem(code)
    url = tickets.ticket_url(code)  # the very code looked up: no need to unseal it
    event = registration.event
    body = event_ics(
        event,
        registration.locale,
        url,
        tickets.calendar_person(registration),
        cancelled=event.status == EventStatus.CANCELLED,  # calendars then drop it
    )
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="event.ics"'},
    )


@bp.post("/t/<code>/cancel")
@limiter.limit(public_rate_limit)
def ticket_cancel(code: str):
    registration = _ticket_or_link_problem(code)
    use_person_language(registration.locale)
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
        try:
            answers.register_openly(event, form.visitor(), form.rsvp_data(current_language()))
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
        return link_problem(LinkKind.RSVP)
    registration = confirmation.registration
    use_person_language(registration.locale)
    expired = confirmation.confirmed_at is None and confirmation.expires_at <= utcnow()
    if request.method == "POST" and not expired:
        try:
            registration = answers.confirm(confirmation)
        except errors.RsvpError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            response = _after_confirm(registration, token)  # before the commit expires it
            db.session.commit()
            return response
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


def _after_confirm(registration: Registration, token: str):
    if registration.status == RegistrationStatus.ACCEPTED:
        flash(_("Your place is confirmed. Your ticket is also on its way by email."), "success")
        return redirect(url_for("rsvp.ticket", code=registration.ticket_code))
    return redirect(url_for("rsvp.confirm", token=token))
