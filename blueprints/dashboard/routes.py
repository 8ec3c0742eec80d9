"""The signed-in start page: what is coming up, and where each role goes next."""

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from blueprints.dashboard.figures import event_figures, latest_survey_rate, open_by_department
from blueprints.events.services import upcoming_for
from core.access import current_org_id, role_required
from core.roles import Role
from core.templating import register_nav

bp = Blueprint("dashboard", __name__)

register_nav("dashboard.index", _l("Home"), Role.DOOR, order=0)


@bp.get("/home")
@role_required(Role.DOOR)
def index():
    events = upcoming_for(current_org_id())
    # Organisers see where the next event stands; door staff only what is coming up.
    figures = concerns = survey_rate = None
    if current_user.has_role(Role.ORGANISER):
        figures = event_figures(events[0]) if events else None
        concerns = open_by_department(current_org_id())
        survey_rate = latest_survey_rate(current_org_id())
    return render_template(
        "dashboard/index.html",
        events=events,
        figures=figures,
        concerns=concerns,
        survey_rate=survey_rate,
    )
