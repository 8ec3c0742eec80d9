"""The door page's details, in a real chromium: the venue's 24-hour clock whatever the
phone's zone, camera failures said in words, the language switch and signing out at hand,
no Admit for people already in, thumb-sized buttons, and the roster fetched once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.checkin.conftest import make_registration, open_event_for
from tests.checkin.test_browser_door import sign_in, wait_until
from tests.conftest import CHROMIUM, chromium_args

pytestmark = pytest.mark.browser


@pytest.fixture
def door_event(org):
    return open_event_for(org)


def venue_clock(app, moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])).strftime("%H:%M")


def camera_sentences(page) -> dict:
    strings = page.locator("#door-app").get_attribute("data-strings")
    return json.loads(strings)["camera_errors"]


def test_door_page_details(app, playwright, live_server, door, door_event, artifacts_dir):
    # Admitted at a time whose 24-hour venue clock reads past noon (14:xx or 15:xx).
    admitted_at = datetime.now(UTC).replace(hour=13, minute=7, second=0, microsecond=0)
    if admitted_at > datetime.now(UTC):
        admitted_at -= timedelta(days=1)
    make_registration(door_event, "Karim Benali", checked_in_at=admitted_at, checked_in_door="B")
    make_registration(door_event, "Karima Zahraoui", company="Atelier Zahraoui")
    door_url = f"{live_server}/door/events/{door_event.id}"

    # No camera on this phone, and the phone's own clock set to New York.
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=chromium_args())
    try:
        context = browser.new_context(
            viewport={"width": 360, "height": 740}, locale="fr-FR", timezone_id="America/New_York"
        )
        page = context.new_page()
        sign_in(page, live_server, door.email)
        fetched = []
        page.on("request", lambda r: fetched.append(r.url))
        page.goto(door_url + "?lang=fr")
        wait_until(lambda: page.evaluate("window.liqaaDoor.rosterReady"), what="the roster")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)

        # The roster and the counts once per load, not twice.
        roster = [u for u in fetched if u.endswith(f"/events/{door_event.id}/roster")]
        counts = [u for u in fetched if u.endswith(f"/events/{door_event.id}/counts")]
        assert len(roster) == 1, fetched
        assert len(counts) <= 1, fetched

        # The camera failed (no device, or no permission): a French sentence, no error name.
        sentences = camera_sentences(page)
        status = wait_until(
            lambda: (t := page.locator("#camera-status").inner_text()) in sentences.values() and t,
            what="the camera's failure in words",
        )
        assert "Error" not in status and "NotFound" not in status

        # Someone already in: "since HH:MM" on the venue's 24-hour clock, and no Admit.
        page.fill("#search", "karim")
        items = page.locator("#results li")
        wait_until(lambda: items.count() == 2, what="two results")
        already = page.locator("#results li", has_text="Karim Benali")
        expected = f"Déjà entré(e) depuis {venue_clock(app, admitted_at)}"
        assert expected in already.inner_text(), already.inner_text()
        assert already.locator("button").count() == 0
        waiting = page.locator("#results li", has_text="Karima Zahraoui")
        assert waiting.locator("button").inner_text() == "Faire entrer"

        # Every button and control within thumb reach: at least 48 px high.
        for control in page.locator(
            "#door-app button:visible, #door-app summary:visible, #door-app input:visible"
        ).all():
            box = control.bounding_box()
            assert box and box["height"] >= 48, (control.evaluate("e => e.outerHTML"), box)
        assert page.locator("#door-sign-out").is_visible()
        page.screenshot(path=f"{artifacts_dir}/door-details-fr-360.png")

        # Admitting from the search turns the button into "since HH:MM" (the venue's clock).
        waiting.locator("button").click()
        wait_until(lambda: page.evaluate("window.liqaaDoor.verdicts.length"), what="a verdict")
        page.locator("#verdict").click()
        wait_until(
            lambda: "Déjà entré(e) depuis" in waiting.inner_text(), what="the admitted person"
        )
        now_at_venue = datetime.now(ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"]))
        shown = waiting.inner_text().split("depuis")[1].strip()[:5]
        shown_at = now_at_venue.replace(hour=int(shown[:2]), minute=int(shown[3:]))
        assert abs((now_at_venue - shown_at).total_seconds()) < 180, (shown, now_at_venue)

        # The language switch stays on the door page.
        page.click("a.door-lang[hreflang=ar]")
        page.wait_for_url(lambda url: url.startswith(door_url))
        assert page.locator("html").get_attribute("lang") == "ar"
        assert page.locator("#door-app").count() == 1
        assert page.locator("a.door-lang[hreflang=fr]").is_visible()

        # Signing out from the door page.
        page.click("#door-sign-out")
        page.wait_for_url(lambda url: "/door/" not in url)
        page.goto(door_url)
        assert "/login" in page.url
        context.close()
    finally:
        browser.close()


@pytest.mark.parametrize("error", ["NotAllowedError", "NotReadableError", "NotFoundError"])
def test_camera_failures_are_said_in_the_page_language(
    playwright, live_server, door, door_event, error
):
    """Each failure the browser names gets its sentence (a busy camera cannot be made
    here, so the browser's getUserMedia is told to fail with that name)."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=chromium_args())
    try:
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ar")
        page = context.new_page()
        sign_in(page, live_server, door.email)
        page.add_init_script(
            "navigator.mediaDevices.getUserMedia = () =>"
            f" Promise.reject(new DOMException('raw browser text', '{error}'));"
        )
        page.goto(f"{live_server}/door/events/{door_event.id}?lang=ar")
        sentences = camera_sentences(page)
        wait_until(
            lambda: page.locator("#camera-status").inner_text() == sentences[error],
            what=f"the sentence for {error}",
        )
        text = page.locator("#camera-status").inner_text()
        assert error not in text and "raw browser text" not in text
        names = ("NotAllowedError", "NotReadableError", "NotFoundError")
        assert len({sentences[name] for name in names}) == 3
        context.close()
    finally:
        browser.close()
