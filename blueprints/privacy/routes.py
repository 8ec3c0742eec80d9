"""Staff pages: the audit log (owners), a member's data and its erasure (organisers),
the retention setting and the processing register (owners)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from blueprints.followups.models import FollowUpStatus
from blueprints.members.models import Member, MemberCategory
from blueprints.privacy import audit_log, erasure, mydata
from blueprints.privacy.forms import ConfirmForm, RetentionForm
from blueprints.rsvp.models import RegistrationStatus
from core import exports
from core.access import current_org_id, role_required, scoped_get_or_404
from core.i18n import LANGUAGE_NAMES
from core.outbox import OutboxState
from core.roles import Role
from core.templating import (
    Link,
    key_label,
    local_date,
    register_labels,
    register_member_action,
    register_nav,
    status_label,
)
from extensions import db

bp = Blueprint("privacy", __name__)

register_nav("privacy.audit", _l("Audit log"), Role.OWNER, order=95)
register_labels("email", {"my_data_link": _l("Link to your data")})
register_member_action(
    lambda member: Link(_l("Their data"), url_for("privacy.member", member_id=member.id))
)

# The plain values of `mydata.everything_about` as a reader sees them (pages, readable copy).
_HELD_ENUMS = {
    "registration": RegistrationStatus,
    "followup": FollowUpStatus,
    "email_state": OutboxState,
    "category": MemberCategory,
}


@bp.app_template_filter("held_label")
def held_label(value, kind: str) -> str:
    if not value:
        return ""
    if kind in _HELD_ENUMS:
        try:
            return status_label(_HELD_ENUMS[kind](value))
        except ValueError:
            return str(value)
    if kind == "language":
        return LANGUAGE_NAMES.get(value, value)
    return key_label(kind, value)  # "email" (an email's kind), "trade"


@bp.app_template_filter("held_date")
def held_date(value: str | None) -> str:
    """An ISO moment of `everything_about` as a date in the reader's language."""
    try:
        return local_date(datetime.fromisoformat(value), "medium") if value else ""
    except ValueError:
        return str(value)


@bp.get("/privacy/audit")
@role_required(Role.OWNER)
def audit():
    f = audit_log.AuditFilter.from_args(request.args)
    page = audit_log.entries_page(
        current_org_id(),
        f,
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "privacy/audit.html",
        page=page,
        f=f,
        actions=audit_log.actions_of(current_org_id()),
        staff=audit_log.staff_names(current_org_id()),
    )


@bp.get("/privacy/audit.csv")
@role_required(Role.OWNER)
def audit_export():
    f = audit_log.AuditFilter.from_args(request.args)
    rows = audit_log.export_rows(current_org_id(), f)
    return exports.send(audit_log.EXPORT_HEADER, rows, "csv", "audit")


@bp.get("/members/<int:member_id>/privacy")
@role_required(Role.ORGANISER)
def member(member_id: int):
    member = scoped_get_or_404(Member, member_id)
    return render_template(
        "privacy/member.html",
        member=member,
        held=mydata.everything_about(member),
        form=ConfirmForm(),
    )


@bp.post("/members/<int:member_id>/erase")
@role_required(Role.ORGANISER)
def erase(member_id: int):
    member = scoped_get_or_404(Member, member_id)
    if not ConfirmForm().validate_on_submit():
        flash(_("Tick the box to confirm the erasure."), "danger")
        return redirect(url_for("privacy.member", member_id=member.id))
    try:
        erasure.erase_member(member)
    except erasure.ErasureError as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        db.session.commit()
        flash(_("The member's personal data was erased. The counts are kept."), "success")
    return redirect(url_for("privacy.member", member_id=member.id))


@bp.post("/members/<int:member_id>/my-data-link")
@role_required(Role.ORGANISER)
def member_link(member_id: int):
    member = scoped_get_or_404(Member, member_id)
    if member.erased_at is not None:
        abort(404)
    link = mydata.issue_link(member)
    db.session.commit()
    return render_template("privacy/member_link.html", member=member, url=mydata.link_url(link))


@bp.route("/privacy/settings", methods=["GET", "POST"])
@role_required(Role.OWNER)
def settings():
    organisation = mydata.organisation_of(current_org_id())
    form = RetentionForm(obj=organisation)
    if form.validate_on_submit():
        organisation.retention_months = form.retention_months.data
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("privacy.settings"))
    return render_template("privacy/settings.html", form=form)


@bp.get("/privacy/register")
@role_required(Role.OWNER)
def register():
    organisation = mydata.organisation_of(current_org_id())
    return render_template(
        "privacy/register.html",
        organisation=organisation,
        partners=mydata.partners_of(organisation.id),
    )
