"""The partner's pages and the report's pages on a 360 px phone, in Arabic and French: right
to left in Arabic, nothing wider than the screen (no sideways scrolling), a screenshot of
each in test-artifacts/phone-*.png for a person to look at."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blueprints.followups.models import FollowUp
from blueprints.members.models import MemberCategory
from blueprints.reports import badge_jobs
from blueprints.reports.badges import Choice
from core.db import utcnow
from core.roles import Role
from extensions import db
from tests.conftest import PASSWORD, make_event, make_partner, make_user
from tests.followups.conftest import raise_concern
from tests.surveys.conftest import make_registration

pytestmark = pytest.mark.browser
LONG_WORD = "Damancom-affiliation-numéro-" * 5  # one unbroken word wider than a phone (and the
# company, 200 characters at most, still holds it on PostgreSQL)


@pytest.fixture
def event(org):
    """A meeting that ended an hour ago."""
    return make_event(org, starts_in=timedelta(hours=-5), hours=4)


@pytest.fixture
def meeting(org, event):
    partner = make_partner(org, "Direction régionale de la CNSS — Nador")
    agent = make_user(org, Role.PARTNER, email="agent@cnss.example", locale="ar",
                      partner_id=partner.id, full_name="نادية المرابط")  # fmt: skip
    person = make_registration(
        event, "يوسف التازي", email="youssef@example.ma", locale="ar", consent_at=utcnow(),
        company="مقاولة الريف للبناء والأشغال العمومية " + LONG_WORD, category=MemberCategory.PRESS,
        companions=[("Fatima Zahra El Idrissi", None)],
    )  # fmt: skip
    person.ticket_code = "ticket-code-phone-0123456789"
    raise_concern(event, "رقم الانخراط في Damancom مرفوض " + LONG_WORD, person)
    db.session.commit()
    item = db.session.scalar(sa.select(FollowUp))
    item.partner_id = partner.id
    item.department = "Affiliation"
    event.report_notes = "التزمت المديرية بحل المشكل في أسبوعين. " + LONG_WORD
    job = badge_jobs.start(event, Choice(), "ar", None)
    db.session.commit()
    while badge_jobs.run_step():
        pass
    return {"partner": partner, "agent": agent, "item": item, "job": job.id}


def _sign_in(page, live_server, email):
    page.goto(f"{live_server}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _check(page, url, name, lang, artifacts_dir):
    response = page.goto(url + ("&" if "?" in url else "?") + f"lang={lang}")
    assert response.status == 200, url
    expected = "rtl" if lang == "ar" else "ltr"
    assert page.locator("html").get_attribute("dir") == expected, url
    assert page.evaluate("getComputedStyle(document.body).direction") == expected, url
    width = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=os.path.join(artifacts_dir, f"phone-{name}-{lang}.png"), full_page=True)
    assert width <= 360, f"{url} in {lang}: {width} px wide on a 360 px screen"


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_partner_and_report_pages_fit_a_phone(
    browser, live_server, organiser, event, meeting, lang, artifacts_dir
):
    pages = {
        "organiser": [
            ("report", f"/events/{event.id}/report"),
            ("press-release", f"/events/{event.id}/press-release"),
            ("badges", f"/events/{event.id}/badges"),
            ("badge-job", f"/events/{event.id}/badges/jobs/{meeting['job']}"),
            ("partner-accounts", f"/partners/{meeting['partner'].id}/accounts"),
            ("followup-board", f"/followups/{meeting['item'].id}"),
        ],
        "partner": [
            ("partner-inbox", "/partner"),
            ("partner-followup", f"/partner/followups/{meeting['item'].id}"),
        ],
    }
    for who, email in (("organiser", organiser.email), ("partner", meeting["agent"].email)):
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ar-MA")
        try:
            page = context.new_page()
            _sign_in(page, live_server, email)
            for name, path in pages[who]:
                _check(page, f"{live_server}{path}", name, lang, artifacts_dir)
        finally:
            context.close()
