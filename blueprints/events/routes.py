from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from blueprints.events import services
from blueprints.events.forms import event_data_from, event_form_for
from blueprints.events.models import Event, EventStatus
from blueprints.orgs.services import partners_of
from core.access import current_org_id, public_rate_limit, role_required, scoped_get_or_404
from core.roles import Role
from core.templating import register_labels, register_nav
from extensions import db, limiter

bp = Blueprint("events", __name__)

register_nav("events.index", _l("Events"), Role.ORGANISER, order=10)
register_labels(
    EventStatus,
    {
        EventStatus.DRAFT: _l("Draft"),
        EventStatus.PUBLISHED: _l("Published"),
        EventStatus.CLOSED: _l("Closed"),
        EventStatus.CANCELLED: _l("Cancelled"),
    },
)


@bp.get("/events")
@role_required(Role.ORGANISER)
def index():
    page = services.events_page(
        current_org_id(),
        status=request.args.get("status"),
        query=request.args.get("q", ""),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
    )
    return render_template("events/index.html", page=page, statuses=list(EventStatus))


@bp.route("/events/new", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def new():
    form = event_form_for(None, partners_of(current_org_id()))
    if form.validate_on_submit():
        try:
            event = services.create_event(current_org_id(), event_data_from(form))
        except services.EventError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("The event was created as a draft."), "success")
            return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, event=None)


@bp.get("/events/<int:event_id>")
@role_required(Role.ORGANISER)
def show(event_id: int):
    return render_template("events/show.html", event=scoped_get_or_404(Event, event_id))


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def edit(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    form = event_form_for(event, partners_of(current_org_id()))
    if form.validate_on_submit():
        try:
            changes = services.update_event(event, event_data_from(form), actor=current_user)
        except services.EventError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            if changes and event.status == EventStatus.PUBLISHED:
                flash(_("The date or the venue changed: invitees will be told."), "warning")
            return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, event=event)


def _transition(event_id: int, action, done_message: str):
    event = scoped_get_or_404(Event, event_id)
    try:
        action(event)
    except services.EventError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(done_message, "success")
    return redirect(url_for("events.show", event_id=event.id))


@bp.post("/events/<int:event_id>/publish")
@role_required(Role.ORGANISER)
def publish(event_id: int):
    return _transition(event_id, services.publish, _("The event is published."))


@bp.post("/events/<int:event_id>/cancel")
@role_required(Role.ORGANISER)
def cancel(event_id: int):
    return _transition(
        event_id, lambda e: services.cancel(e, actor=current_user), _("The event is cancelled.")
    )


@bp.post("/events/<int:event_id>/close")
@role_required(Role.ORGANISER)
def close(event_id: int):
    return _transition(event_id, services.close, _("The event is closed."))


@bp.post("/events/<int:event_id>/duplicate")
@role_required(Role.ORGANISER)
def duplicate(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    copy = services.duplicate(event, months=1)
    db.session.commit()
    flash(
        _("A draft copy dated one month later was created. Check it, then publish it."),
        "success",
    )
    return redirect(url_for("events.edit", event_id=copy.id))


@bp.get("/e/<public_id>")
@limiter.limit(public_rate_limit)
def public(public_id: str):
    event = services.published_event_or_none(public_id)
    if event is None:
        abort(404)
    return render_template("events/public.html", event=event)
