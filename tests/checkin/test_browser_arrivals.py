"""The arrivals page in a real chromium: its figures follow the door by themselves, without
reloading the page (the scroll stays), and stop asking while the tab is hidden."""

from __future__ import annotations

import pytest

from blueprints.checkin import admission
from extensions import db
from tests.checkin.conftest import make_registration, open_event_for
from tests.checkin.test_browser_door import sign_in, wait_until
from tests.conftest import CHROMIUM, chromium_args

pytestmark = pytest.mark.browser

EVERY = 400  # ms: the page's 15 s, shortened for the test through its data attribute


def test_arrivals_update_themselves_and_pause_when_hidden(
    playwright, live_server, organiser, door, org
):
    event = open_event_for(org)
    guests = [make_registration(event, f"Invité {n:02d}") for n in range(40)]
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=chromium_args())
    try:
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr")
        page = context.new_page()
        sign_in(page, live_server, organiser.email)
        page.goto(f"{live_server}/events/{event.id}/arrivals?lang=fr")
        assert page.locator("meta[http-equiv=refresh]").count() == 0
        assert page.locator("#arrived-total").inner_text() == "0 / 40"
        page.evaluate(f"document.getElementById('arrivals-live').dataset.every = '{EVERY}'")
        # Restart its timer with the short period (as when coming back to the tab).
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        scrolled = page.evaluate("window.scrollY")
        assert scrolled > 500
        page.evaluate("window.liqaaPageMark = 'same page'")

        for guest in guests[:3]:
            admission.check_in(event, guest.ticket_code, "A", by_user=door)
        db.session.commit()
        wait_until(
            lambda: page.locator("#arrived-total").inner_text() == "3 / 40",
            what="the new figures",
        )
        assert page.evaluate("window.liqaaPageMark") == "same page"  # no reload
        assert abs(page.evaluate("window.scrollY") - scrolled) < 5
        assert "Invité 00" in page.locator(".card", has_text="Derniers passages").inner_text()
        assert page.locator("#arrivals-news").inner_text().endswith("3 / 40")
        assert page.locator("#arrivals-updated").inner_text().startswith("Mis à jour")

        # A hidden tab asks nothing; shown again, it updates at once.
        page.evaluate(
            "Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});"
            "document.dispatchEvent(new Event('visibilitychange'))"
        )
        before = page.evaluate("window.liqaaArrivals.fetches")
        admission.check_in(event, guests[3].ticket_code, "A", by_user=door)
        db.session.commit()
        page.wait_for_timeout(EVERY * 4)
        assert page.evaluate("window.liqaaArrivals.fetches") == before
        assert page.locator("#arrived-total").inner_text() == "3 / 40"
        page.evaluate(
            "Object.defineProperty(document, 'hidden', {configurable: true, get: () => false});"
            "document.dispatchEvent(new Event('visibilitychange'))"
        )
        wait_until(lambda: page.locator("#arrived-total").inner_text() == "4 / 40")
        context.close()
    finally:
        browser.close()
