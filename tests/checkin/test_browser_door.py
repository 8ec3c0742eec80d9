"""The door page in a real chromium with a fake camera showing real tickets' QR codes.

Scan -> green; the same again -> amber; then, on another phone whose network is cut
with Playwright, scan another ticket, restore the network -> it reaches the server and
the counter agrees.
"""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from blueprints.checkin.models import CheckIn
from blueprints.rsvp.models import Registration
from core.qr import qr_png
from core.urls import external_url
from extensions import db
from tests.checkin.conftest import make_registration, open_event_for
from tests.checkin.fake_camera import frame_with, write_y4m
from tests.conftest import CHROMIUM, PASSWORD, chromium_args

pytestmark = pytest.mark.browser


def camera_for(registration, tmp_path):
    """A Y4M showing the QR that the application makes for this ticket's URL."""
    png = qr_png(external_url(f"/t/{registration.ticket_code}"))
    return str(write_y4m(frame_with(png), tmp_path / f"ticket-{registration.id}.y4m"))


def wait_until(predicate, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def checked_in_at(registration_id):
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Registration.checked_in_at).where(Registration.id == registration_id)
    )


def sign_in(page, base, email):
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def verdicts(page):
    return page.evaluate("window.liqaaDoor ? window.liqaaDoor.verdicts : []")


@pytest.fixture
def door_event(org):
    return open_event_for(org)


def test_door_page_scans_tickets_online_and_offline(
    playwright, live_server, door, door_event, tmp_path, artifacts_dir
):
    first = make_registration(door_event, "Karim Benali", companions=1)
    second = make_registration(door_event, "سعاد الإدريسي", company="مطبعة الريف")
    make_registration(door_event, "Still Expected")
    door_url = f"{live_server}/door/events/{door_event.id}"

    # Phone 1: its camera shows the first ticket.
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=chromium_args(camera_for(first, tmp_path))
    )
    try:
        context = browser.new_context(
            permissions=["camera"], viewport={"width": 393, "height": 727}
        )
        page = context.new_page()
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        sign_in(page, live_server, door.email)
        page.goto(door_url)
        wait_until(lambda: verdicts(page), what="a first verdict")
        assert verdicts(page)[0]["result"] == "admitted", verdicts(page)
        assert verdicts(page)[0]["name"] == "Karim Benali"
        assert page.locator("#verdict").get_attribute("data-result") == "admitted"
        page.screenshot(path=f"{artifacts_dir}/checkin-admitted.png")
        assert checked_in_at(first.id) is not None
        # The camera keeps seeing the same ticket: after a few seconds it is amber.
        wait_until(lambda: len(verdicts(page)) >= 2, timeout=12, what="a second verdict")
        assert verdicts(page)[1]["result"] == "already_checked_in"
        assert page.locator("#count-in").inner_text() == "1"
        assert page.locator("#people-in").inner_text() == "2"  # companions counted
        # Everything came from this server, the decoder's .wasm included.
        assert all(u.startswith(live_server) for u in requests), requests
        assert any("/zxing_reader.wasm?v=" in u for u in requests)  # its version in the URL
        assert page.evaluate("window.liqaaDoor.errors") == []
        context.close()
    finally:
        browser.close()

    # Phone 2: camera off at first, so that it goes offline before the second ticket shows.
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=chromium_args(camera_for(second, tmp_path))
    )
    try:
        context = browser.new_context(
            permissions=["camera"], viewport={"width": 393, "height": 727}
        )
        context.add_init_script("localStorage.setItem('liqaa.door.camera', 'off')")
        page = context.new_page()
        sign_in(page, live_server, door.email)
        page.goto(door_url)
        wait_until(
            lambda: page.evaluate("window.liqaaDoor.rosterReady && window.liqaaDoor.rosterSize"),
            what="the roster",
        )
        assert page.evaluate("window.liqaaDoor.rosterSize") == 3
        wait_until(
            lambda: page.evaluate("navigator.serviceWorker.ready.then(() => true)"),
            what="the service worker",
        )

        context.set_offline(True)
        wait_until(lambda: "bg-warning" in page.locator("#net").get_attribute("class"))
        page.click("#camera-toggle")
        wait_until(lambda: verdicts(page), what="an offline verdict")
        verdict = verdicts(page)[0]
        assert verdict == {
            "result": "admitted",
            "reason": None,
            "name": "سعاد الإدريسي",
            "local": True,
        }
        assert page.evaluate("window.liqaaDoor.queued") >= 1
        assert checked_in_at(second.id) is None  # nothing reached the server
        page.click("#camera-toggle")  # camera off: no more scans while we check

        context.set_offline(False)
        wait_until(lambda: checked_in_at(second.id), what="the queued check-in on the server")
        wait_until(lambda: page.evaluate("window.liqaaDoor.queued") == 0, what="an empty queue")
        wait_until(lambda: page.locator("#count-in").inner_text() == "2", what="the counter")
        assert page.locator("#count-expected").inner_text() == "3"
        db.session.expire_all()
        offline_rows = db.session.scalars(sa.select(CheckIn).where(CheckIn.offline)).all()
        assert offline_rows and offline_rows[0].registration_id == second.id
        assert offline_rows[0].client_time is not None
        page.screenshot(path=f"{artifacts_dir}/checkin-after-sync.png")
        context.close()
    finally:
        browser.close()


def test_door_page_reopens_offline_after_one_visit(
    playwright, live_server, door, door_event, artifacts_dir
):
    """One visit is enough: the network is cut, the page is reloaded, and it still shows the
    door page with its roster, admits someone, and sends the admission when back online."""
    guest = make_registration(door_event, "Karim Benali")
    make_registration(door_event, "سعاد الإدريسي", company="مطبعة الريف")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=chromium_args())
    try:
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ar")
        context.add_init_script("localStorage.setItem('liqaa.door.camera', 'off')")
        page = context.new_page()
        sign_in(page, live_server, door.email)
        page.goto(f"{live_server}/door/events/{door_event.id}")
        wait_until(lambda: page.evaluate("window.liqaaDoor.rosterReady"), what="the roster")
        wait_until(
            lambda: page.evaluate("navigator.serviceWorker.controller !== null"),
            what="the service worker controlling the page",
        )

        context.set_offline(True)
        page.reload()
        assert page.locator("#door-app").count() == 1, page.content()[:500]
        wait_until(lambda: page.evaluate("window.liqaaDoor.rosterReady"), what="the roster")
        assert page.evaluate("window.liqaaDoor.rosterSize") == 2
        assert page.locator("#count-expected").inner_text() == "2"
        assert "bg-warning" in page.locator("#net").get_attribute("class")
        page.fill("#search", "karim")
        page.locator("#results button").first.click()
        wait_until(lambda: verdicts(page), what="an offline verdict")
        assert verdicts(page)[0]["result"] == "admitted" and verdicts(page)[0]["local"]
        assert checked_in_at(guest.id) is None
        page.screenshot(path=f"{artifacts_dir}/checkin-offline-first-visit-ar-360.png")

        context.set_offline(False)
        wait_until(lambda: checked_in_at(guest.id), what="the queued admission on the server")
        context.close()
    finally:
        browser.close()
