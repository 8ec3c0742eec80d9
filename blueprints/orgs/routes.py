from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from blueprints.orgs import services
from blueprints.orgs.forms import OrganisationForm, PartnerForm
from blueprints.orgs.models import Partner
from core.access import current_org_id, role_required, scoped_get_or_404
from core.roles import Role
from core.templating import register_nav
from extensions import db

bp = Blueprint("orgs", __name__)

register_nav("orgs.partners", _l("Partners"), Role.ORGANISER, order=60)
register_nav("orgs.settings", _l("Organisation"), Role.OWNER, order=95)


@bp.route("/organisation", methods=["GET", "POST"])
@role_required(Role.OWNER)
def settings():
    org = current_user.organisation
    form = OrganisationForm(obj=org)
    if form.validate_on_submit():
        form.populate_obj(org)
        org.reply_to = org.reply_to or None
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("orgs.settings"))
    return render_template("orgs/settings.html", form=form)


@bp.get("/partners")
@role_required(Role.ORGANISER)
def partners():
    return render_template("orgs/partners.html", partners=services.partners_of(current_org_id()))


@bp.route("/partners/new", methods=["GET", "POST"], defaults={"partner_id": None})
@bp.route("/partners/<int:partner_id>", methods=["GET", "POST"])
@role_required(Role.ORGANISER)
def partner_form(partner_id: int | None):
    partner = scoped_get_or_404(Partner, partner_id) if partner_id else None
    form = PartnerForm(obj=partner)
    if partner is not None and not form.is_submitted():
        form.kind.data = partner.kind.value
    if form.validate_on_submit():
        names = ("name_fr", "name_ar", "name_en", "kind", "digest_days")
        fields = {k: form[k].data for k in names if form[k].data is not None}  # empty: kept
        try:
            services.save_partner(current_org_id(), partner, **fields)
        except services.OrgError as error:
            form.name_fr.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("orgs.partners"))
    return render_template("orgs/partner_form.html", form=form, partner=partner)
