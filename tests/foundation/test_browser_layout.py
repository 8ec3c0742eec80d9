"""The organiser's pages in a real browser, on a phone-sized screen, in Arabic."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD, make_event

pytestmark = pytest.mark.browser


def test_arabic_event_page_is_right_to_left_on_a_phone(
    browser, live_server, org, organiser, artifacts_dir
):
    event = make_event(org)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ar-MA")
    requests = []
    try:
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{live_server}/login")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        page.fill("#email", organiser.email)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{live_server}/events/{event.id}?lang=ar")
        expect(page.locator("h1")).to_have_text("لقاء تواصلي")
        # right to left: the title's text starts at the right edge of the screen
        box = page.locator("h1").bounding_box()
        assert box["x"] + box["width"] > 300
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        # nothing wider than the phone: no sideways scrolling
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        # the collapsed menu opens (Bootstrap's script runs under our CSP)
        page.click(".navbar-toggler")
        expect(page.locator("#nav")).to_be_visible()
        page.screenshot(path=os.path.join(artifacts_dir, "event-ar-360.png"), full_page=True)
    finally:
        context.close()
    # every file came from our own server: the page works at an offline venue
    assert requests and all(url.startswith(live_server) for url in requests), requests
