"""axe-core in Debian's chromium, at 360 and 1280 px, in Arabic and in French, with the demo
data.

The public pages (event page, RSVP, ticket, survey, a wrong link, the my-data request, a
member's own data, the sign-in), the organiser's pages (dashboard, events, an event,
members, invitations, follow-ups and follow-ups by partner, an email preview, partners, the
past edition's report, badges and press release), the owner's pages (staff, the
organisation, the audit log, privacy settings and register, a member's data), the door's
(its event list and the door page) and a partner account's (its follow-ups and one of them)
must have no "serious" or "critical" violation, at 360 px and at 1280 px (where the menu is
open).

The same walk checks the layout at 360 px: no sideways scroll
(`document.scrollingElement.scrollWidth` ≤ 360), `dir="rtl"` in Arabic and `ltr` in French,
and keeps a screenshot of each page in test-artifacts/ (`axe-<who>-<page>-<lang>-360.png`).
axe-core is vendored under tests/vendor/axe-core/ (`sh scripts/vendor.sh`); Liqaa never
serves it. The counts per impact are printed (`pytest -s`).
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from blueprints.auth.models import User
from blueprints.events.models import Event
from blueprints.followups.models import FollowUp
from blueprints.members.models import Member
from blueprints.orgs.models import Organisation, Partner
from blueprints.privacy import mydata
from demo import around, data
from demo.cli import demo_links
from demo.story import by_title
from extensions import db

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "bypass_csp": True}
BLOCKING = ("serious", "critical")
# WCAG 2.1 A and AA, and axe's own best practices, on the whole page.
RUN = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
    resultTypes: ['violations'],
  });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => n.target.join(' ') + ' :: ' + (n.failureSummary || '')),
  }));
}"""


@pytest.fixture
def demo_world(app, live_server):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    org = db.session.scalar(sa.select(Organisation))
    links = {label.split(" (")[0]: url for label, url in demo_links(org)}
    main = by_title(org, "")
    assert isinstance(main, Event)
    public = {
        "event page": f"{live_server}/e/{main.public_id}",
        "RSVP": links["An invitation to answer"],
        "ticket": links["A ticket to scan or open"],
        "survey": links["A survey to answer"],
        "wrong link": f"{live_server}/r/this-link-was-cut-in-two",
        "my-data request": f"{live_server}/my-data",
        "my data": f"{live_server}/my-data/me",  # once `my_data_link` is opened
        "sign-in": f"{live_server}/login",
        "forgotten password": f"{live_server}/password/forgot",
    }
    organiser = {
        "dashboard": f"{live_server}/home",
        "events": f"{live_server}/events",
        "event": f"{live_server}/events/{main.id}",
        "members": f"{live_server}/members",
        "invitations": f"{live_server}/events/{main.id}/invitations",
        "follow-ups": f"{live_server}/followups",
        "email preview": f"{live_server}/events/{main.id}/invitations/preview?kind=partner_digest",
        **_more_organiser_pages(live_server, org),
    }
    return live_server, public, organiser


@pytest.fixture
def my_data_link(demo_world) -> str:
    """A member's one-time link to their own page; opening it makes /my-data/me theirs."""
    member = db.session.scalar(
        sa.select(Member).where(Member.email.is_not(None)).order_by(Member.id)
    )
    link = mydata.issue_link(member)
    db.session.commit()
    return mydata.link_url(link)


def _more_organiser_pages(live_server: str, org: Organisation) -> dict[str, str]:
    past = by_title(org, around.PAST_SUFFIX["fr"])
    partner = db.session.scalar(sa.select(Partner).where(Partner.organisation_id == org.id))
    assert past is not None and partner is not None
    return {
        "follow-ups by partner": f"{live_server}/followups?partner={partner.id}",
        "partners": f"{live_server}/partners",
        "partner accounts": f"{live_server}/partners/{partner.id}/accounts",
        "report": f"{live_server}/events/{past.id}/report",
        "badges": f"{live_server}/events/{past.id}/badges",
        "press release": f"{live_server}/events/{past.id}/press-release",
        **_the_other_organiser_pages(live_server, org),
    }


def _the_other_organiser_pages(live_server: str, org: Organisation) -> dict[str, str]:
    """The rest of the organiser's HTML pages of the route map, on the demo data."""
    main, today = by_title(org, ""), by_title(org, around.TODAY_SUFFIX["fr"])
    past = by_title(org, around.PAST_SUFFIX["fr"])
    member = db.session.scalar(sa.select(Member).order_by(Member.id))
    partner = db.session.scalar(sa.select(Partner).order_by(Partner.id))
    followup = db.session.scalar(sa.select(FollowUp).order_by(FollowUp.id))
    assert main and today and past and member and partner and followup
    event, base = f"{live_server}/events/{main.id}", live_server
    return {
        "new event": f"{base}/events/new",
        "event form": f"{event}/edit",
        "invite": f"{event}/invitations/new",
        "printed invitations": f"{event}/invitations/print",
        "registrations": f"{event}/registrations",
        "registrations summary": f"{event}/registrations/summary",
        "questions": f"{event}/questions",
        "event follow-ups": f"{event}/followups",
        "new follow-up": f"{event}/followups/new",
        "follow-up": f"{base}/followups/{followup.id}",
        "arrivals": f"{base}/events/{today.id}/arrivals",
        "door devices": f"{base}/events/{today.id}/devices",
        "survey": f"{base}/events/{past.id}/survey",
        "survey results": f"{base}/events/{past.id}/survey/results",
        "survey report": f"{base}/events/{past.id}/survey/report",
        "member": f"{base}/members/{member.id}",
        "new member": f"{base}/members/new",
        "member import": f"{base}/members/import",
        "partner": f"{base}/partners/{partner.id}",
        "new partner": f"{base}/partners/new",
        "own password": f"{base}/account/password",
    }


@pytest.fixture
def staff_pages(demo_world):
    """The owner's, the door's and a partner account's pages, on the demo data."""
    live_server = demo_world[0]
    org = db.session.scalar(sa.select(Organisation))
    today = by_title(org, around.TODAY_SUFFIX["fr"])
    agent = db.session.scalar(sa.select(User).where(User.email == "cnss@demo.liqaa.example"))
    staff = db.session.scalar(sa.select(User).where(User.email == "door@demo.liqaa.example"))
    member = db.session.scalar(sa.select(Member).order_by(Member.id))
    routed = db.session.scalar(
        sa.select(FollowUp).where(FollowUp.partner_id == agent.partner_id).order_by(FollowUp.id)
    )
    assert today is not None and routed is not None and member is not None
    owner = {
        "staff": f"{live_server}/staff",
        "staff member": f"{live_server}/staff/{staff.id}",
        "new staff member": f"{live_server}/staff/new",
        "organisation": f"{live_server}/organisation",
        "audit log": f"{live_server}/privacy/audit",
        "privacy settings": f"{live_server}/privacy/settings",
        "privacy register": f"{live_server}/privacy/register",
        "a member's data": f"{live_server}/members/{member.id}/privacy",
    }
    door = {
        "door events": f"{live_server}/door",
        "door page": f"{live_server}/door/events/{today.id}",
    }
    partner = {
        "partner follow-ups": f"{live_server}/partner",
        "partner follow-up": f"{live_server}/partner/followups/{routed.id}",
    }
    return live_server, {"owner": owner, "door": door, "partner": partner}


def violations_of(page, url: str, lang: str) -> list[dict]:
    separator = "&" if "?" in url else "?"
    page.goto(f"{url}{separator}lang={lang}", wait_until="networkidle")
    assert page.locator("html").get_attribute("lang") == lang, url
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN)


def layout_problems(page, lang: str) -> list[str]:
    """On a phone: nothing wider than the screen, and the page's direction is its language's."""
    problems = []
    width = page.evaluate("document.scrollingElement.scrollWidth")
    if width > PHONE["viewport"]["width"]:
        problems.append(f"scrolls sideways: {width} px wide")
    direction = page.locator("html").get_attribute("dir")
    if direction != ("rtl" if lang == "ar" else "ltr"):
        problems.append(f"dir={direction!r}")
    return problems


def audit(page, pages: dict[str, str], found: dict, counts: Counter, shots: str = "") -> None:
    """axe on each page in Arabic and French; at 360 px also its layout, and a screenshot
    named `shots`-<page>-<lang>-360.png when `shots` is a path prefix."""
    width = page.viewport_size["width"]
    for lang in ("ar", "fr"):
        for name, url in pages.items():
            for violation in violations_of(page, url, lang):
                counts[violation["impact"]] += len(violation["nodes"])
                if violation["impact"] in BLOCKING:
                    key = f"{name} ({lang}, {width} px): {violation['id']}: {violation['help']}"
                    found[key] = violation["nodes"][:3]
            if width != PHONE["viewport"]["width"]:
                continue
            for problem in layout_problems(page, lang):
                found[f"{name} ({lang}, {width} px): layout: {problem}"] = []
            if shots:
                slug = name.replace(" ", "-").replace("'", "")
                page.screenshot(path=f"{shots}-{slug}-{lang}-360.png", full_page=True)


def report(title: str, counts: Counter, found: dict) -> None:
    figures = ", ".join(f"{impact} {counts[impact]}" for impact in
                        ("critical", "serious", "moderate", "minor"))  # fmt: skip
    print(f"axe: {title}: nodes by impact: {figures}")
    for key, nodes in found.items():
        print(f"axe:   {key}: {nodes}")


def test_public_pages_have_no_serious_accessibility_violation(
    browser, demo_world, my_data_link, artifacts_dir
):
    _, public, _ = demo_world
    context = browser.new_context(**PHONE)
    found, counts = {}, Counter()
    try:
        page = context.new_page()
        page.goto(my_data_link)
        page.wait_for_url(lambda url: url.endswith("/my-data/me"))
        audit(page, public, found, counts, os.path.join(artifacts_dir, "axe-public"))
        page.set_viewport_size({"width": 1280, "height": 800})
        audit(page, public, found, counts)
    finally:
        context.close()
    report("public pages, 360 and 1280 px, ar and fr", counts, found)
    assert not found, list(found)


def sign_in(page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", data.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def test_organiser_pages_have_no_serious_accessibility_violation(
    browser, demo_world, artifacts_dir
):
    live_server, _, organiser = demo_world
    context = browser.new_context(**PHONE)
    found, counts = {}, Counter()
    try:
        page = context.new_page()
        sign_in(page, live_server, "organiser@demo.liqaa.example")
        audit(page, organiser, found, counts, os.path.join(artifacts_dir, "axe-organiser"))
        page.set_viewport_size({"width": 1280, "height": 800})
        audit(page, organiser, found, counts)
    finally:
        context.close()
    report("organiser pages, 360 and 1280 px, ar and fr", counts, found)
    assert not found, list(found)


@pytest.mark.parametrize(
    ("role", "email"),
    [
        ("owner", "owner@demo.liqaa.example"),
        ("door", "door@demo.liqaa.example"),
        ("partner", "cnss@demo.liqaa.example"),
    ],
)
def test_owner_door_and_partner_pages_have_no_serious_accessibility_violation(
    browser, staff_pages, role, email, artifacts_dir
):
    live_server, pages = staff_pages
    context = browser.new_context(**PHONE)
    found, counts = {}, Counter()
    try:
        page = context.new_page()
        sign_in(page, live_server, email)
        audit(page, pages[role], found, counts, os.path.join(artifacts_dir, f"axe-{role}"))
        page.set_viewport_size({"width": 1280, "height": 800})
        audit(page, pages[role], found, counts)
    finally:
        context.close()
    report(f"{role} pages, 360 and 1280 px, ar and fr", counts, found)
    assert not found, list(found)
