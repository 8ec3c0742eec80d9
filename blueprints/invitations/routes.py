from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import contains_eager

from blueprints.events.models import Event
from blueprints.invitations import delivery, jobs, notices, reminders, services
from blueprints.invitations.forms import AudienceForm, ScheduleForm
from blueprints.invitations.models import EventNotice, Invitation, InvitationJob, InvitationJobState
from blueprints.members import filters as member_filters
from blueprints.members.forms import category_choices
from blueprints.members.models import Member
from core import email_preview, outbox, templating
from core.access import (
    current_org_id,
    public_rate_limit,
    role_required,
    scoped_child_or_404,
    scoped_get_or_404,
)
from core.emails import email_frame
from core.i18n import part_separator, use_person_language
from core.links import LinkKind, link_problem
from core.qr import qr_svg
from core.roles import Role
from core.templating import register_event_tab, register_labels
from extensions import csrf, db, limiter

bp = Blueprint("invitations", __name__)
PRINT_PER_PAGE = 60  # cards a printed sheet holds; more QR codes made the page slow
register_labels(
    "email",
    {
        "invitation": _l("Invitation"),
        "reminder": _l("Reminder"),
        "event_notice": _l("Change notice"),
    },
)

register_labels(
    InvitationJobState,
    {
        InvitationJobState.QUEUED: _l("Waiting for a worker"),
        InvitationJobState.RUNNING: _l("In progress"),
        InvitationJobState.DONE: _l("Finished"),
        InvitationJobState.FAILED: _l("Stopped"),
    },
)
register_event_tab("invitations.index", _l("Invitations"), Role.ORGANISER, order=20)
register_labels(
    outbox.OutboxState,
    {
        outbox.OutboxState.QUEUED: _l("Queued"),
        outbox.OutboxState.SENDING: _l("Sending"),
        outbox.OutboxState.SENT: _l("Sent"),
        outbox.OutboxState.FAILED: _l("Failed"),
        outbox.OutboxState.CANCELLED: _l("Cancelled"),
    },
)


@bp.get("/events/<int:event_id>/invitations")
@role_required(Role.ORGANISER)
def index(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    state = request.args.get("state", "")[:12]
    query = request.args.get("q", "")[:200].strip()
    figures = delivery.figures(event)
    page = delivery.invitations_page(
        event,
        request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
        state=state,
        query=query,
        total=figures.invitations,
    )
    schedule_form = ScheduleForm()
    schedules = reminders.schedules_of(event)
    schedule_form.days.data = part_separator().join(str(s.days_before) for s in schedules)
    return render_template(
        "invitations/index.html",
        event=event,
        page=page,
        state=state,
        query=query,
        figures=figures,
        latest=delivery.latest_messages([i.id for i in page.items]),
        notices=notices.pending_notices(event),
        schedules=schedules,
        schedule_form=schedule_form,
        states=list(outbox.OutboxState),
    )


def _audience_form(org_id: int) -> AudienceForm:
    """The audience form with this organisation's tags, categories, trades and members."""
    form = AudienceForm()
    tags, trades = member_filters.filter_lists(org_id)
    form.tags.choices = [(t, t) for t in tags]
    form.categories.choices = category_choices()
    form.trades.choices = [(t, templating.key_label("trade", t)) for t in trades]
    hand = db.session.execute(
        db.select(Member.id, Member.full_name, Member.category, Member.company, Member.phone)
        .where(Member.organisation_id == org_id, Member.archived_at.is_(None))
        .order_by(Member.category, Member.full_name)
        .limit(3000)
    )
    rows = hand.all()
    form.members.choices = [
        (r.id, f"{r.full_name} ({templating.status_label(r.category)})") for r in rows
    ]
    form.people = {r.id: (r.company or "", r.phone or "") for r in rows}
    return form


@bp.route("/events/<int:event_id>/invitations/new", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def new(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    form = _audience_form(current_org_id())
    summary = None
    if form.validate_on_submit():
        audience = form.audience()
        if form.confirm.data:
            try:
                result = jobs.send(event, audience, current_user.id)
            except services.InvitationError as error:
                db.session.rollback()
                flash(str(error), "danger")
            else:
                db.session.commit()
                if isinstance(result, InvitationJob):  # many: the workers do it in batches
                    return redirect(url_for("invitations.job", event_id=event.id, job_id=result.id))
                flash(
                    _(
                        "Invited: %(invited)s. Emails queued: %(emailed)s; without email: "
                        "%(without_email)s; unsubscribed: %(unsubscribed)s.",
                        **vars(result),
                    ),
                    "success",
                )
                return redirect(url_for("invitations.index", event_id=event.id))
        summary = services.preview(event, audience)
    return render_template("invitations/new.html", event=event, form=form, summary=summary)


@bp.get("/events/<int:event_id>/invitations/jobs/<int:job_id>")
@role_required(Role.ORGANISER)
def job(event_id: int, job_id: int):
    """A large invitation's progress (the page reloads itself until it is finished)."""
    event, invitation_job = scoped_child_or_404(Event, event_id, InvitationJob, job_id)
    return render_template("invitations/job.html", event=event, job=invitation_job)


def _preview(event: Event):
    """The email asked for (?language=ar|fr|en, ?kind= any kind Liqaa sends), built as sent
    by its own builder (core.email_preview), with the organiser's name in place of a guest's."""
    language = request.args.get("language", "")
    if language not in current_app.config["LANGUAGES"]:
        language = current_app.config["LANGUAGES"][0]
    kinds = email_preview.preview_kinds()
    kind = request.args.get("kind", "")
    kind = kind if kind in kinds else kinds[0]
    name = current_user.full_name or current_user.email
    return language, kind, email_preview.preview(kind, event, language, name)


@bp.get("/events/<int:event_id>/invitations/preview")
@role_required(Role.ORGANISER)
def preview(event_id: int):
    """Every email Liqaa sends, in each language, before anything is sent."""
    event = scoped_get_or_404(Event, event_id)
    language, kind, built = _preview(event)
    return render_template(
        "invitations/preview.html",
        event=event,
        language=language,
        kind=kind,
        kinds=email_preview.preview_kinds(),
        built=built,
    )


@bp.get("/events/<int:event_id>/invitations/preview/html")
@role_required(Role.ORGANISER)
def preview_html(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    return email_frame(_preview(event)[2].html or "")


@bp.post("/events/<int:event_id>/invitations/remind")
@role_required(Role.ORGANISER)
def remind(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    try:
        queued = reminders.remind(event)
    except services.InvitationError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("Reminders queued: %(n)s.", n=queued), "success")
    return redirect(url_for("invitations.index", event_id=event.id))


@bp.post("/events/<int:event_id>/invitations/schedule")
@role_required(Role.ORGANISER)
def schedule(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    form = ScheduleForm()
    if form.validate_on_submit():
        reminders.set_schedule(event, form.day_list())
        db.session.commit()
        flash(_("Automatic reminders saved."), "success")
    else:
        for error in form.days.errors or [_("The form expired. Please try again.")]:
            flash(str(error), "danger")
    return redirect(url_for("invitations.index", event_id=event.id))


@bp.post("/events/<int:event_id>/invitations/retry")
@role_required(Role.ORGANISER)
def retry_failed(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    count = delivery.retry_failed(event)
    db.session.commit()
    flash(_("Failed emails to send again: %(n)s.", n=count), "success")
    return redirect(url_for("invitations.index", event_id=event.id))


@bp.post("/events/<int:event_id>/outbox/<int:message_id>/retry")
@role_required(Role.ORGANISER)
def retry_message(event_id: int, message_id: int):
    event = scoped_get_or_404(Event, event_id)
    count = delivery.retry_failed(event, message_id)
    db.session.commit()
    flash(_("Failed emails to send again: %(n)s.", n=count), "success")
    return redirect(url_for("invitations.index", event_id=event.id))


@bp.post("/events/<int:event_id>/invitations/cancel-queued")
@role_required(Role.ORGANISER)
def cancel_queued(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    count = delivery.cancel_queued(event)
    db.session.commit()
    flash(_("Queued emails cancelled: %(n)s.", n=count), "success")
    return redirect(url_for("invitations.index", event_id=event.id))


@bp.post("/events/<int:event_id>/notices/<int:notice_id>/<any(send, dismiss):action>")
@role_required(Role.ORGANISER)
def notice(event_id: int, notice_id: int, action: str):
    event, item = scoped_child_or_404(Event, event_id, EventNotice, notice_id)
    if action == "dismiss":
        notices.dismiss_notice(item)
        db.session.commit()
        flash(_("No notice will be sent."), "info")
    else:
        try:
            queued = notices.confirm_notice(item, current_user.id)
        except services.InvitationError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("Notices queued: %(n)s.", n=queued), "success")
    return redirect(url_for("invitations.index", event_id=event.id))


@bp.post("/invitations/<int:invitation_id>/whatsapp")
@role_required(Role.ORGANISER)
def whatsapp(invitation_id: int):
    invitation = scoped_get_or_404(Invitation, invitation_id)
    url = services.whatsapp_url(invitation)
    if url is None:
        flash(_("This member has no phone number."), "warning")
        return redirect(url_for("invitations.index", event_id=invitation.event_id))
    services.mark_shared_by_hand(invitation)
    db.session.commit()
    return redirect(url)


@bp.get("/events/<int:event_id>/invitations/print")
@role_required(Role.ORGANISER)
def print_sheet(event_id: int):
    """The printable cards, PRINT_PER_PAGE a page: each QR code is drawn per request."""
    event = scoped_get_or_404(Event, event_id)
    page = db.paginate(
        db.select(Invitation)
        .join(Member, Member.id == Invitation.member_id)
        .where(Invitation.event_id == event.id)
        .options(contains_eager(Invitation.member))
        .order_by(Member.full_name, Invitation.id),
        page=request.args.get("page", 1, type=int),
        per_page=PRINT_PER_PAGE,
        error_out=False,
    )
    cards = [
        (invitation, qr_svg(services.rsvp_url(invitation.token), border=1))
        for invitation in page.items
    ]
    return render_template("invitations/print.html", event=event, cards=cards, page=page)


@bp.route("/u/<token>", methods=["GET", "POST"])
@csrf.exempt  # the secret token is the proof; mail clients post one-click (RFC 8058) bare
@limiter.limit(public_rate_limit)
def unsubscribe(token: str):
    invitation = services.invitation_by_token(token)
    if invitation is None:
        return link_problem(LinkKind.UNSUBSCRIBE)
    member = invitation.member
    use_person_language(member.locale)
    if request.method == "POST":
        services.unsubscribe(invitation)
        db.session.commit()
        return render_template("invitations/unsubscribe.html", invitation=invitation, done=True)
    return render_template(
        "invitations/unsubscribe.html",
        invitation=invitation,
        done=member.unsubscribed_at is not None,
    )
