"""A large invitation's progress page in chromium: it updates in place, without reloading
(axe counts a self-reloading page as a critical violation), and stops once the job is done."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from blueprints.invitations.models import InvitationJob, InvitationJobState
from extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_the_progress_updates_in_place_until_the_job_is_done(
    browser, live_server, organiser, event
):
    job = InvitationJob(organisation_id=event.organisation_id, event_id=event.id,
                        audience={"everyone": True}, total=4)  # fmt: skip
    db.session.add(job)
    db.session.commit()
    context = browser.new_context(viewport={"width": 360, "height": 740})
    fetches: list[str] = []
    try:
        page = context.new_page()
        page.goto(f"{live_server}/login")
        page.fill("#email", organiser.email)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        page.goto(f"{live_server}/events/{event.id}/invitations/jobs/{job.id}?lang=ar")
        expect(page.locator("#job-progress progress")).to_have_attribute("value", "0")
        page.evaluate("window.__samePage = true")  # gone if the page reloads
        page.on("request", lambda r: fetches.append(r.url) if "/jobs/" in r.url else None)

        job.state, job.done, job.invited = InvitationJobState.RUNNING, 2, 2
        db.session.commit()
        expect(page.locator("#job-progress progress")).to_have_attribute("value", "50")
        job.state, job.done, job.invited = InvitationJobState.DONE, 4, 4
        db.session.commit()
        expect(page.locator("#job-progress progress")).to_have_attribute("value", "100")
        assert page.evaluate("window.__samePage") is True
        assert page.locator("#job-progress").get_attribute("aria-live") == "polite"
        seen = len(fetches)
        page.wait_for_timeout(4000)
        assert len(fetches) == seen  # finished: no more requests
    finally:
        context.close()
