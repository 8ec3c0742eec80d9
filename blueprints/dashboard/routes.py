"""The signed-in start page: what is coming up, and where each role goes next."""

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from blueprints.events.services import upcoming_for
from core.access import current_org_id, role_required
from core.roles import Role
from core.templating import register_nav

bp = Blueprint("dashboard", __name__)

register_nav("dashboard.index", _l("Home"), Role.DOOR, order=0)


@bp.get("/home")
@role_required(Role.DOOR)
def index():
    return render_template("dashboard/index.html", events=upcoming_for(current_org_id()))
