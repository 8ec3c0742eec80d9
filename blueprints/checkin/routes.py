"""The door page, walk-ins, undo, the ticket-page Admit button, and the organiser's views."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from flask_login import current_user

from blueprints.checkin import admission, door, lookup, reports, rules
from blueprints.checkin import devices as door_devices
from blueprints.checkin.api import api
from blueprints.checkin.forms import ConfirmForm, DeviceForm, DoorActionForm, WalkInForm
from blueprints.checkin.models import (
    CheckInConflict,
    CheckInMethod,
    CheckInResult,
    DoorDevice,
    RefusalReason,
)
from blueprints.events.models import Event
from blueprints.events.services import upcoming_for
from blueprints.members.models import MemberCategory
from blueprints.rsvp import tickets
from blueprints.rsvp.models import Registration
from core import exports, templating
from core.access import current_org_id, role_required, scoped_child_or_404, scoped_get_or_404
from core.db import utcnow
from core.i18n import current_language, display_tz, part_separator
from core.roles import Role
from core.templating import Link, register_event_tab, register_labels, register_nav
from core.tokens import token_digest
from extensions import db

bp = Blueprint("checkin", __name__)
bp.register_blueprint(api)

register_nav("checkin.door_home", _l("Door"), Role.DOOR, order=20)
register_event_tab("checkin.door_page", _l("Door"), Role.DOOR, order=60)
register_event_tab("checkin.arrivals", _l("Arrivals"), Role.ORGANISER, order=61)
register_labels(
    CheckInResult,
    {
        CheckInResult.ADMITTED: _l("Admitted"),
        CheckInResult.ALREADY_CHECKED_IN: _l("Already checked in"),
        CheckInResult.NOT_VALID: _l("Not valid"),
        CheckInResult.UNDONE: _l("Admission undone"),
    },
)
register_labels(
    RefusalReason,
    {
        RefusalReason.UNKNOWN: _l("Unknown ticket"),
        RefusalReason.REVOKED: _l("Ticket revoked"),
        RefusalReason.DECLINED: _l("Declined the invitation"),
        RefusalReason.WAITLISTED: _l("On the waiting list"),
        RefusalReason.WRONG_EVENT: _l("Ticket for another event"),
        RefusalReason.EVENT_NOT_OPEN: _l("The event is not open (not yet, or closed)"),
    },
)
register_labels(
    CheckInMethod,
    {
        CheckInMethod.SCAN: _l("Scan"),
        CheckInMethod.SEARCH: _l("Search"),
        CheckInMethod.WALK_IN: _l("Walk-in"),
        CheckInMethod.TICKET_PAGE: _l("Ticket page"),
        CheckInMethod.UNDO: _l("Undo"),
    },
)
CATEGORY_NAMES = {
    MemberCategory.MEMBER: _l("Member"),
    MemberCategory.OFFICIAL: _l("Official"),
    MemberCategory.PARTNER: _l("Partner"),
    MemberCategory.PRESS: _l("Press"),
    MemberCategory.GUEST: _l("Guest"),
}


@dataclass(frozen=True)
class PostLink(Link):
    """A button that POSTs (the ticket page renders it as a form with the CSRF token)."""

    method: str = "POST"


def _admit_action(registration) -> Link | None:
    """The Admit button on a ticket page, for signed-in door staff of that organisation."""
    if not current_user.is_authenticated or not current_user.has_role(Role.DOOR):
        return None
    if registration.organisation_id != current_user.organisation_id:
        return None
    if not registration.ticket_code_hash:
        return None
    return PostLink(_l("Admit"), url_for("checkin.admit_ticket", code=registration.ticket_code))


if hasattr(templating, "register_ticket_action"):
    templating.register_ticket_action(_admit_action)


def _door_name() -> str:
    return rules.clean_door(request.values.get("door"))


def _strings(event: Event) -> dict:
    """Texts the door page's script shows, in the page's language."""
    return {
        "admitted": _("Admitted"),
        "already": _("Already checked in"),
        "not_valid": _("Not valid"),
        "reasons": {r.value: templating.status_label(r) for r in RefusalReason},
        "categories": {c.value: str(label) for c, label in CATEGORY_NAMES.items()},
        "companions": _("Companions: %(n)s"),
        # The first admission, said with only what is known (offline, the roster has no "by").
        "first_at": _("at %(time)s"),
        "first_door": _("door %(door)s"),
        "first_by": _("by %(by)s"),
        "separator": part_separator(),
        "already_since": _("Already in since %(time)s"),
        # The clock of the venue, not of the phone: times are shown in this zone, 24-hour.
        "clock": rules.venue_clock(event, display_tz()),
        "camera_errors": _camera_errors(),
        "offline": _("Offline: check-ins are kept on this phone"),
        "online": _("Online"),
        "queued": _("Check-ins waiting to be sent: %(n)s"),
        "point": _("Point the camera at a ticket"),
        "camera_off": _("Camera off"),
        "admit": _("Admit"),
        "no_result": _("Nobody found."),
        "checked_in": pgettext("status", "Checked in"),
        "offline_verdict": _("(offline)"),
        "badge": _("Print a badge"),
    }


def _camera_errors() -> dict:
    """What a camera failure means, by the browser's error name (never shown raw)."""
    return {
        "NotAllowedError": _(
            "The camera is not allowed. Allow it for this site in the browser's settings,"
            " then reload the page."
        ),
        "SecurityError": _(
            "The camera is not allowed. Allow it for this site in the browser's settings,"
            " then reload the page."
        ),
        "NotFoundError": _("No camera was found on this phone. Use the search below."),
        "OverconstrainedError": _("No camera was found on this phone. Use the search below."),
        "NotReadableError": _(
            "The camera is busy in another application. Close it, then switch the camera on."
        ),
        "AbortError": _(
            "The camera is busy in another application. Close it, then switch the camera on."
        ),
        "insecure": _("The camera only works over a secure (https) address."),
        "other": _("The camera could not start. Use the search below, or reload the page."),
    }


# --------------------------------------------------------------------------- door staff


@bp.get("/door")
@role_required(Role.DOOR)
def door_home():
    return render_template("checkin/home.html", events=upcoming_for(current_org_id(), limit=20))


@bp.get("/door/events/<int:event_id>")
@role_required(Role.DOOR)
def door_page(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    # ?badge=r<id>: the walk-in just admitted, whose badge the page offers to print
    badge = request.args.get("badge", "")
    badge = badge if re.fullmatch(r"r[0-9]{1,11}", badge) else ""
    return _render_door(event, WalkInForm(door=_door_name()), badge=badge)


def _render_door(event: Event, walk_in_form: WalkInForm, status: int = 200, badge: str = ""):
    return (
        render_template(
            "checkin/door.html",
            event=event,
            walk_in_form=walk_in_form,
            undo_form=DoorActionForm(door=_door_name()),
            counts=lookup.counts(event),
            door=_door_name(),
            doors_open=rules.doors_open(event, utcnow()),
            taken=tickets.places_taken(event),
            strings=_strings(event),
            badge=badge,
        ),
        status,
    )


@bp.post("/door/events/<int:event_id>/walk-in")
@role_required(Role.DOOR)
def walk_in(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    form = WalkInForm()
    if not form.validate_on_submit():
        return _render_door(event, form, status=400)
    try:
        registration, answer = door.walk_in(
            event, form.walk_in_data(current_language()), _door_name(), current_user
        )
    except door.CheckInError as error:
        db.session.rollback()
        flash(str(error), "danger")
        return _render_door(event, form, status=400)
    db.session.commit()
    badge = ""
    if answer["result"] == CheckInResult.ADMITTED:
        flash(_("%(name)s was registered and admitted.", name=registration.full_name), "success")
        badge = f"r{registration.id}"
    return redirect(url_for("checkin.door_page", event_id=event.id, door=_door_name(), badge=badge))


@bp.post("/door/events/<int:event_id>/undo")
@role_required(Role.DOOR)
def undo(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    form = DoorActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        registration = door.undo_last_admission(event, current_user)
    except door.CheckInError as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        db.session.commit()
        flash(_("The admission of %(name)s was undone.", name=registration.full_name), "info")
    return redirect(url_for("checkin.door_page", event_id=event.id, door=_door_name()))


def _registration_for_code(code: str) -> Registration:
    if tickets.code_from_scan(code) != code:
        abort(404)
    registration = db.session.scalar(
        sa.select(Registration).where(
            Registration.ticket_code_hash == token_digest(code),
            Registration.organisation_id == current_org_id(),
        )
    )
    if registration is None:
        abort(404)
    return registration


@bp.route("/door/admit/<code>", methods=["GET", "POST"])
@role_required(Role.DOOR)
def admit_ticket(code: str):
    """The fallback for any phone camera: the ticket page links here for door staff."""
    registration = _registration_for_code(code)
    form = DoorActionForm(door=_door_name())
    answer = None
    if form.validate_on_submit():
        answer = admission.check_in(
            registration.event,
            code,
            form.door.data,
            by_user=current_user,
            method=CheckInMethod.TICKET_PAGE,
        )
        db.session.commit()
    elif request.method == "POST":
        abort(400)
    return render_template(
        "checkin/admit.html",
        registration=registration,
        form=form,
        verdict=_verdict(answer) if answer else None,
        category_names=CATEGORY_NAMES,
    )


def _verdict(answer: dict) -> dict:
    first = answer.get("first_check_in")
    return {
        "result": answer["result"],
        "title": templating.status_label(CheckInResult(answer["result"])),
        "reason": templating.status_label(RefusalReason(answer["reason"]))
        if answer["reason"]
        else "",
        "first": {**first, "at": datetime.fromisoformat(first["at"])} if first else None,
    }


@bp.get("/door/sw.js")
def service_worker():
    """The door page's service worker: served from /door/ so that it may control /door/…"""
    body = render_template("checkin/sw.js")
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/door/manifest.webmanifest")
def manifest():
    response = jsonify(
        name=_("Liqaa door"),
        short_name=_("Door"),
        start_url=url_for("checkin.door_home"),
        scope="/door/",
        display="standalone",
        background_color="#111111",
        theme_color="#0b6e4f",
        lang=current_language(),
        dir="rtl" if current_language() == "ar" else "ltr",
        icons=[
            {
                "src": url_for("static", filename="checkin/icon.svg"),
                "sizes": "any",
                "type": "image/svg+xml",
            }
        ],
    )
    response.mimetype = "application/manifest+json"
    return response


# --------------------------------------------------------------------------- organisers


def _arrivals_figures(event: Event) -> dict:
    """What the arrivals page shows, for the whole page and for its live part alone."""
    bars = reports.arrivals_per_quarter(event)
    return {
        "event": event,
        "counts": lookup.counts(event),
        "categories": reports.by_category(event),
        "category_names": CATEGORY_NAMES,
        "bars": bars,
        "bar_max": max((b.count for b in bars), default=0),
        "last_scans": reports.last_scans(event),
        "refused": reports.last_scans(event, limit=50, refused=True),
        "conflicts": reports.conflicts(event),
        "no_shows": reports.no_shows(event),
        "event_over": reports.event_over(event),
        "resolve_form": ConfirmForm(),
        "now": utcnow(),
    }


@bp.get("/events/<int:event_id>/arrivals")
@role_required(Role.ORGANISER)
def arrivals(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    return render_template("checkin/arrivals.html", **_arrivals_figures(event))


@bp.get("/events/<int:event_id>/arrivals/figures")
@role_required(Role.ORGANISER)
def arrivals_figures(event_id: int):
    """The live part of the arrivals page, which the page fetches every 15 s: its HTML,
    and the two lines the page says (when, and how many arrived, for screen readers)."""
    event = scoped_get_or_404(Event, event_id)
    figures = _arrivals_figures(event)
    counts = figures["counts"]
    response = jsonify(
        html=render_template("checkin/_arrivals_live.html", **figures),
        updated=_("Updated at %(time)s.", time=templating.local_time(figures["now"])),
        arrived=_(
            "Arrived / expected: %(arrived)s / %(expected)s",
            arrived=counts["checked_in"],
            expected=counts["expected"],
        ),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/events/<int:event_id>/arrivals/export")
@role_required(Role.ORGANISER)
def export(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    fmt = "xlsx" if request.args.get("format") == "xlsx" else "csv"
    rows = reports.log_rows(event)
    return exports.send(reports.LOG_HEADER, rows, fmt, f"checkins-event-{event.id}", "check-ins")


@bp.post("/events/<int:event_id>/conflicts/<int:conflict_id>/resolve")
@role_required(Role.ORGANISER)
def resolve_conflict(event_id: int, conflict_id: int):
    event, conflict = scoped_child_or_404(Event, event_id, CheckInConflict, conflict_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    door.resolve_conflict(conflict)
    db.session.commit()
    flash(_("The conflict is marked as seen."), "info")
    return redirect(url_for("checkin.arrivals", event_id=event.id))


@bp.route("/events/<int:event_id>/devices", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def devices(event_id: int):
    event = scoped_get_or_404(Event, event_id)
    form = DeviceForm()
    token = None
    if form.validate_on_submit():
        _device, token = door_devices.issue_device(
            event, form.door.data, form.label.data or "", current_user
        )
        db.session.commit()
        form = DeviceForm(formdata=None)
    return render_template(
        "checkin/devices.html",
        event=event,
        form=form,
        token=token,
        devices=door_devices.devices_of(event),
        revoke_form=ConfirmForm(),
    )


@bp.post("/events/<int:event_id>/devices/<int:device_id>/revoke")
@role_required(Role.ORGANISER)
def revoke_device(event_id: int, device_id: int):
    event, device = scoped_child_or_404(Event, event_id, DoorDevice, device_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    door_devices.revoke_device(device)
    db.session.commit()
    flash(_("The device can no longer check anyone in."), "info")
    return redirect(url_for("checkin.devices", event_id=event.id))
