"""Partner accounts: the organisers invite, the partner sets a password and answers the
follow-ups routed to its body, and nothing else."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user

from blueprints.auth.services import AccountError
from blueprints.followups import thread
from blueprints.followups.models import FollowUpStatus
from blueprints.followups.services import FollowUpError
from blueprints.orgs.models import Partner
from blueprints.partners import services
from blueprints.partners.forms import ActiveForm, AnswerForm, InviteForm, WelcomeForm
from core.access import (
    current_org_id,
    partner_required,
    public_rate_limit,
    role_required,
    scoped_get_or_404,
)
from core.roles import Role
from core.templating import register_labels, register_nav
from extensions import db, limiter

bp = Blueprint("partners", __name__)

register_nav("partners.inbox", _l("Follow-ups to answer"), Role.PARTNER, order=0)
register_labels(
    "email",
    {
        "partner_invite": _l("Invitation to a partner account"),
        "partner_digest": _l("Weekly digest of a partner account"),
    },
)


@bp.route("/partners/<int:partner_id>/accounts", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def accounts(partner_id: int):
    partner = scoped_get_or_404(Partner, partner_id)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            services.invite(
                organisation_id=current_org_id(),
                partner_id=partner.id,
                email=form.email.data,
                full_name=form.full_name.data,
                locale=form.locale.data,
                departments=form.departments.data or "",
                invited_by=current_user.full_name,
            )
        except AccountError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The invitation is on its way."), "success")
            return redirect(url_for("partners.accounts", partner_id=partner.id))
    users = services.accounts_of(current_org_id(), partner.id)
    return render_template("partners/accounts.html", partner=partner, form=form, users=users)


@bp.post("/partners/<int:partner_id>/accounts/<int:user_id>/active")
@role_required(Role.ORGANISER)
def set_active(partner_id: int, user_id: int):
    """Deactivate (signed out at once, sign-in refused) or reactivate a partner account."""
    partner = scoped_get_or_404(Partner, partner_id)
    user = services.account_of(current_org_id(), partner.id, user_id) or abort(404)
    form = ActiveForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_active(user, form.active.data == "1")
    db.session.commit()
    done = _("The account is active again.") if user.active else _("The account is deactivated.")
    flash(done, "success")
    return redirect(url_for("partners.accounts", partner_id=partner.id))


@bp.route("/welcome/<token>", methods=["GET", "POST"])
@limiter.limit(public_rate_limit)
def welcome(token: str):
    user = services.pending_invite(token)
    if user is None:
        return render_template("partners/welcome.html", user=None, form=None), 404
    form = WelcomeForm()
    if form.validate_on_submit():
        services.accept(user, form.password.data)
        db.session.commit()
        login_user(user)
        flash(_("Your password is set. Welcome."), "success")
        return redirect(url_for("partners.inbox"))
    return render_template("partners/welcome.html", user=user, form=form)


@bp.get("/partner")
@partner_required
def inbox():
    status = request.args.get("status", "")[:20]
    items = thread.partner_followups(current_user, status)
    return render_template(
        "partners/inbox.html", items=items, status=status, thread=thread, statuses=FollowUpStatus
    )


@bp.route("/partner/followups/<int:followup_id>", methods=["GET", "POST"])
@partner_required
def followup(followup_id: int):
    item = thread.partner_followup(current_user, followup_id) or abort(404)
    form = AnswerForm(language=current_user.locale if current_user.locale != "en" else "fr")
    if form.validate_on_submit():
        data = (form.body.data, form.language.data, form.outcome.data)
        try:
            thread.answer(item, current_user, *data)
        except FollowUpError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(_("Your answer is saved."), "success")
            return redirect(url_for("partners.followup", followup_id=item.id))
    show_contact = thread.contact_shown(item)
    return render_template("partners/followup.html", item=item, form=form, contact=show_contact)


@bp.post("/partner/followups/<int:followup_id>/take")
@partner_required
def take(followup_id: int):
    item = thread.partner_followup(current_user, followup_id) or abort(404)
    thread.take(item, current_user)
    db.session.commit()
    return redirect(url_for("partners.followup", followup_id=item.id))
