"""axe-core in Debian's chromium, at 360 and 1280 px, in Arabic and in French, with the demo
data.

The public pages (event page, RSVP, ticket, survey, a wrong link, the my-data request, a
member's own data, the sign-in, and the one-off links' pages: open registration and its
confirmation, unsubscribe, a partner account's invitation, a new password, the reply to an
answer), the organiser's pages (dashboard, events, an event, members, a member import waiting
to be confirmed, invitations, follow-ups, an email preview, partners, the past edition's
report, badges and press release, survey questions, the development mail viewer switched on),
the owner's pages (staff, the organisation, the audit log, privacy settings and register, a
member's data), the door's (its event list, the door page, a ticket's admit page) and a
partner account's (its follow-ups and one of them) must have no violation of any impact, at
360 px and at 1280 px (where the menu is open).

The same walk checks the layout at 360 px: no sideways scroll
(`document.scrollingElement.scrollWidth` ≤ 360), `dir="rtl"` in Arabic and `ltr` in French,
and keeps a screenshot of each page in test-artifacts/ (`axe-<who>-<page>-<lang>-360.png`).
axe-core is vendored under tests/vendor/axe-core/ (`sh scripts/vendor.sh`); Liqaa never
serves it. The counts per impact are printed (`pytest -s`).
"""

from __future__ import annotations

import os
from collections import Counter
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

import pytest
import sqlalchemy as sa

from blueprints.auth import reset
from blueprints.auth.models import User
from blueprints.events.models import Event
from blueprints.followups import thread
from blueprints.followups.models import FollowUp
from blueprints.followups.services import may_contact
from blueprints.invitations.models import Invitation
from blueprints.members import imports
from blueprints.members.models import Member
from blueprints.orgs.models import Organisation, Partner
from blueprints.partners import services as partner_services
from blueprints.privacy import mydata
from blueprints.reports import badge_jobs, badges
from blueprints.rsvp import answers, questionnaire
from blueprints.rsvp.models import Registration, RegistrationConfirmation
from blueprints.surveys.models import Survey, SurveyQuestion
from core import dev_mail
from demo import around, data
from demo.cli import demo_links
from demo.story import by_title
from extensions import db

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WRONG_LINK = "/r/this-link-was-cut-in-two"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "bypass_csp": True}
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
        "wrong link": f"{live_server}{WRONG_LINK}",
        "my-data request": f"{live_server}/my-data",
        "my data": f"{live_server}/my-data/me",  # once `my_data_link` is opened
        "sign-in": f"{live_server}/login",
        "forgotten password": f"{live_server}/password/forgot",
        **_token_pages(live_server, org),
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


def _token_pages(live_server: str, org: Organisation) -> dict[str, str]:
    """The one-off links' pages, with tokens made by the services that email them."""
    main = by_title(org, "")
    questionnaire.save_settings(main, open_registration=True, requires_approval=False)
    visitor = answers.Visitor(full_name="Youssef Amrani", email="youssef@example.ma")
    registration = answers.register_openly(
        main, visitor, answers.RsvpData(accept=True, locale="fr", consent=True)
    )
    confirmation = db.session.scalar(
        sa.select(RegistrationConfirmation).where(
            RegistrationConfirmation.registration_id == registration.id
        )
    )
    partner = db.session.scalar(sa.select(Partner).where(Partner.organisation_id == org.id))
    account = partner_services.invite(
        organisation_id=org.id, partner_id=partner.id, email="agent@example.ma",
        full_name="Nadia Bennani", locale="fr",
    )  # fmt: skip
    user = reset.request_reset("organiser@demo.liqaa.example")
    invitation = db.session.scalar(
        sa.select(Invitation).where(Invitation.event_id == main.id).order_by(Invitation.id)
    )
    pages = {
        "open registration": f"{live_server}/e/{main.public_id}/register",
        "registration confirmation": f"{live_server}/confirm/{confirmation.token}",
        "unsubscribe": f"{live_server}/u/{invitation.token}",
        "account invitation": f"{live_server}/welcome/{account.invite}",
        "new password": f"{live_server}/password/reset/{user.reset}",
        "reply to an answer": f"{live_server}/f/{_reply_token(org)}",
    }
    db.session.commit()
    return pages


def _reply_token(org: Organisation) -> str:
    """An answer to a concern, emailed with its reply link to a member who may be contacted."""
    organiser = db.session.scalar(
        sa.select(User).where(User.email == "organiser@demo.liqaa.example")
    )
    for followup in db.session.scalars(sa.select(FollowUp).order_by(FollowUp.id)):
        if may_contact(followup) is not None:
            message = thread.answer(
                followup, organiser, "Votre dossier est complet.", "fr", "resolved"
            )
            return message.reply_token
    raise AssertionError("no follow-up of the demo may be answered by email")


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
        "badge job": _badge_job_page(live_server, past),
        **_the_other_organiser_pages(live_server, org),
    }


def _badge_job_page(live_server: str, event: Event) -> str:
    """The progress page of a badge sheet made in the background."""
    job = badge_jobs.start(event, badges.Choice(), "fr", None)
    db.session.commit()
    return f"{live_server}/events/{event.id}/badges/jobs/{job.id}"


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
        "member upload": f"{base}/members/import",
        "partner": f"{base}/partners/{partner.id}",
        "new partner": f"{base}/partners/new",
        "own password": f"{base}/account/password",
        **_editing_pages(live_server, org),
    }


def _editing_pages(live_server: str, org: Organisation) -> dict[str, str]:
    """A survey question's forms, and a member import read and waiting to be confirmed."""
    past = by_title(org, around.PAST_SUFFIX["fr"])
    question = db.session.scalar(
        sa.select(SurveyQuestion).join(Survey).where(Survey.event_id == past.id)
    )
    organiser = db.session.scalar(
        sa.select(User).where(User.email == "organiser@demo.liqaa.example")
    )
    rows = "Nom;Téléphone;Email\nSalma Idrissi;0661234567;salma@example.ma\nKarim;abc;\n"
    upload, _ = imports.start_import(org.id, "membres.csv", rows.encode(), organiser.id)
    db.session.commit()
    survey = f"{live_server}/events/{past.id}/survey/questions"
    return {
        "new survey question": f"{survey}/new",
        "survey question": f"{survey}/{question.id}",
        "member import": f"{live_server}/members/import/{upload.id}",
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
        "ticket at the door": f"{live_server}/door/admit/{_ticket_code(today)}",
    }
    partner = {
        "partner follow-ups": f"{live_server}/partner",
        "partner follow-up": f"{live_server}/partner/followups/{routed.id}",
    }
    return live_server, {"owner": owner, "door": door, "partner": partner}


def _ticket_code(event: Event) -> str:
    """A ticket of today's session not yet scanned: the door's page for it admits."""
    registration = db.session.scalar(
        sa.select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.checked_in_at.is_(None),
            Registration.ticket_code_hash.is_not(None),
        )
        .order_by(Registration.id)
    )
    return registration.ticket_code


def violations_of(page, url: str, lang: str) -> list[dict]:
    separator = "&" if "?" in url else "?"
    response = page.goto(f"{url}{separator}lang={lang}", wait_until="networkidle")
    # The page itself, not a link that did not open (only the wrong link is meant to be one).
    assert response.status == (404 if WRONG_LINK in url else 200), (url, response.status)
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
                key = f"{name} ({lang}, {width} px): {violation['id']}: {violation['help']}"
                found[key] = [violation["impact"], *violation["nodes"][:3]]
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


def test_public_pages_have_no_accessibility_violation(
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


def dev_mail_pages(app, monkeypatch, folder: Path, live_server: str) -> dict[str, str]:
    """The development mail viewer, switched on as in development, with one message kept."""
    monkeypatch.setitem(app.config, "ENV_NAME", "development")
    monkeypatch.setitem(app.config, "MAIL_CAPTURE", True)
    monkeypatch.setitem(app.config, "MAIL_CAPTURE_DIR", str(folder))
    message = EmailMessage()
    message["Subject"], message["From"] = "Invitation : Forum", "Liqaa <noreply@liqaa.test>"
    message["To"], message["Date"] = "Salma Idrissi <salma@example.ma>", formatdate()
    message.set_content("Bonjour Salma,\nVous êtes invitée au forum.")
    message.add_alternative("<p>Bonjour Salma,</p><p>Vous êtes invitée au forum.</p>", "html")
    dev_mail.CapturedConnection(folder).sendmail("", [], message.as_bytes())
    (name,) = [path.name for path in folder.iterdir()]
    return {
        "mail viewer": f"{live_server}/dev/mail",
        "kept email": f"{live_server}/dev/mail/{name}",
    }


def test_organiser_pages_have_no_accessibility_violation(
    app, browser, demo_world, artifacts_dir, monkeypatch, tmp_path
):
    live_server, _, organiser = demo_world
    organiser = {**organiser, **dev_mail_pages(app, monkeypatch, tmp_path, live_server)}
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
def test_owner_door_and_partner_pages_have_no_accessibility_violation(
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
