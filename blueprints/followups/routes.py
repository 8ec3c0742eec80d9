"""The follow-up board, a concern noted by hand, and each follow-up's answer."""

from __future__ import annotations

from flask import (
    Blueprint,
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
from flask_login import current_user

from blueprints.events.models import Event
from blueprints.followups import services, thread
from blueprints.followups.forms import STATUS_LABELS, ConcernForm, FollowUpForm, ReplyForm
from blueprints.followups.models import FollowUp, FollowUpSource, FollowUpStatus
from blueprints.orgs.services import partners_of
from core import exports
from core.access import current_org_id, public_rate_limit, role_required, scoped_get_or_404
from core.i18n import localized
from core.links import LinkKind, link_problem
from core.roles import Role
from core.templating import (
    register_event_tab,
    register_labels,
    register_nav,
)
from extensions import db, limiter

bp = Blueprint("followups", __name__)
register_labels(
    "email",
    {
        "followup_resolved": _l("Answer to a concern"),
        "followup_answer": _l("Reply in a concern's thread"),
    },
)

register_nav("followups.board", _l("Follow-ups"), Role.ORGANISER, order=40)
register_event_tab("followups.event_board", _l("Follow-ups"), Role.ORGANISER, order=65)
register_labels(FollowUpStatus, STATUS_LABELS)
register_labels(
    FollowUpSource,
    {
        FollowUpSource.RSVP: _l("RSVP form"),
        FollowUpSource.SURVEY: _l("Survey"),
        FollowUpSource.DOOR: _l("At the door"),
        FollowUpSource.ORGANISER: _l("Noted by the organisers"),
    },
)

AGES = (7, 14, 30, 90)


def _filters(event_id: int | None = None) -> services.BoardFilters:
    args = request.args
    older = args.get("older", type=int)
    return services.BoardFilters(
        event_id=event_id or args.get("event", type=int),
        partner_id=args.get("partner", type=int),
        department=args.get("department", "")[:120],
        status=args.get("status", "")[:20],
        older_than_days=older if older in AGES else None,
        query=args.get("q", "")[:200],
    )


def _board(event: Event | None):
    filters = _filters(event.id if event else None)
    org_id = current_org_id()
    page = db.paginate(
        services.board_query(org_id, filters),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    events = db.session.scalars(
        db.select(Event).where(Event.organisation_id == org_id).order_by(Event.starts_at.desc())
    ).all()
    return render_template(
        "followups/board.html",
        event=event,
        page=page,
        filters=filters,
        counts=services.status_counts(org_id, filters),
        events=events,
        partners=partners_of(org_id),
        departments=services.departments_of(org_id),
        statuses=list(FollowUpStatus),
        ages=AGES,
        **_partner_figures(org_id),
    )


def _partner_figures(org_id: int) -> dict:
    return {
        "thread": thread,
        "figures": thread.partner_figures(org_id),
        "partners_by_id": {p.id: p for p in partners_of(org_id)},
        "overdue_days": thread.OVERDUE_DAYS,
    }


@bp.get("/followups")
@role_required(Role.ORGANISER)
def board():
    return _board(None)


@bp.get("/events/<int:event_id>/followups")
@role_required(Role.ORGANISER)
def event_board(event_id: int):
    return _board(scoped_get_or_404(Event, event_id))


@bp.get("/followups/export.<any(csv, xlsx):fmt>")
@role_required(Role.ORGANISER)
def export(fmt: str):
    header, body = services.export_rows(current_org_id(), _filters())
    return exports.send(header, body, fmt, "followups", _("Follow-ups"))


@bp.route("/events/<int:event_id>/followups/new", methods=["GET", "POST"])
@role_required(Role.DOOR)
def new(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    is_organiser = current_user.has_role(Role.ORGANISER)
    if not services.staff_may_note_concern(event, is_organiser):
        abort(404)
    form = ConcernForm()
    form.set_partners(partners_of(current_org_id()), lambda p: localized(p, "name"))
    if form.validate_on_submit():
        services.record_concern(
            organisation_id=current_org_id(),
            event_id=event.id,
            text=form.text.data,
            source=FollowUpSource.ORGANISER if is_organiser else FollowUpSource.DOOR,
            raised_by_name=form.raised_by_name.data or "",
            raised_by_contact=form.raised_by_contact.data or "",
            created_by_id=current_user.id,
            partner_id=form.routed_partner_id(),
            department=form.department.data or "",
        )
        db.session.commit()
        flash(_("The concern is noted. The organisers will follow it up."), "success")
        if is_organiser:
            return redirect(url_for("followups.event_board", event_id=event.id))
        return redirect(url_for("followups.new", event_id=event.id))
    return render_template("followups/new.html", event=event, form=form)


@bp.route("/followups/<int:followup_id>", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def edit(followup_id: int):
    followup = scoped_get_or_404(FollowUp, followup_id)
    form = FollowUpForm(obj=followup)
    form.set_partners(partners_of(current_org_id()), lambda p: localized(p, "name"))
    if request.method == "GET":
        form.status.data = followup.status.value
        form.partner_id.data = str(followup.partner_id or "")
    if form.validate_on_submit():
        try:
            services.update_followup(followup, form.change(), actor=current_user)
        except services.FollowUpError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            if followup.status == FollowUpStatus.RESOLVED and services.may_contact(followup):
                flash(_("Resolved. The person will receive the answer by email."), "success")
            else:
                flash(_("Saved."), "success")
            return redirect(url_for("followups.edit", followup_id=followup.id))
    return render_template(
        "followups/edit.html",
        followup=followup,
        form=form,
        contactable=services.may_contact(followup) is not None,
        overdue=thread.is_overdue(followup),
    )


@bp.route("/f/<token>", methods=["GET", "POST"])
@limiter.limit(public_rate_limit)
def reply(token: str):
    """The member's one reply to an answer, from the link in its email."""
    answer = thread.answer_by_reply_token(token)
    if answer is None:  # the shared page for a link that does not open, not a bare 404
        return link_problem(LinkKind.REPLY)
    form = ReplyForm()
    open_ = thread.reply_open(answer)
    if open_ and form.validate_on_submit():
        try:
            thread.member_reply(answer, form.verdict.data == "solved", form.text.data or "")
        except services.FollowUpError as error:
            db.session.rollback()
            form.text.errors.append(str(error))
        else:
            db.session.commit()
            return render_template("followups/reply.html", answer=answer, form=None, done=True)
    status = 400 if request.method == "POST" and open_ else 200
    form = form if open_ else None
    return render_template("followups/reply.html", answer=answer, form=form, done=False), status
