"""Page weight budgets, measured in Debian's chromium on a cold cache with the demo data.

Members open these pages on weak mobile data: the four public pages stay under 100 KB
(everything transferred: HTML, CSS, scripts, images, headers), the door page under
1.5 MB with its QR decoder and what its service worker stores, and a second visit to
the RSVP page needs at most 2 requests. The figures are printed (`pytest -s`) and
written in the README.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from blueprints.events.models import Event
from blueprints.orgs.models import Organisation
from demo import around, data
from demo.cli import demo_links
from demo.story import by_title
from extensions import db
from tests.checkin.test_browser_door import wait_until
from tests.conftest import CHROMIUM, chromium_args

pytestmark = pytest.mark.browser

PUBLIC_BUDGET = 100 * 1024
DOOR_BUDGET = 1536 * 1024
PHONE = {"viewport": {"width": 360, "height": 740}, "locale": "ar-MA", "is_mobile": True}


@pytest.fixture
def demo_pages(app, live_server):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    org = db.session.scalar(sa.select(Organisation))
    links = {label.split(" (")[0]: url for label, url in demo_links(org)}
    main = by_title(org, "")
    today = by_title(org, around.TODAY_SUFFIX["fr"])
    assert isinstance(main, Event) and today is not None
    return {
        "RSVP": links["An invitation to answer"],
        "ticket": links["A ticket to scan or open"],
        "survey": links["A survey to answer"],
        "public event": f"{live_server}/e/{main.public_id}",
        "door": f"{live_server}/door/events/{today.id}",
    }


class Meter:
    """Bytes and requests that went over the network for one browser context."""

    def __init__(self, context):
        self.finished = []
        context.on("requestfinished", lambda request: self.finished.append(request))

    def reset(self):
        self.finished.clear()

    def transferred(self) -> int:
        total = 0
        for request in self.finished:
            sizes = request.sizes()
            total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        return total


def cold_load(browser, url, wait=None):
    context = browser.new_context(**PHONE)
    meter = Meter(context)
    page = context.new_page()
    page.goto(url, wait_until="networkidle")
    if wait:
        wait(page)
        page.wait_for_load_state("networkidle")
    return context, page, meter


def test_public_pages_are_light_and_cached(browser, demo_pages):
    figures = {}
    for name in ("RSVP", "ticket", "survey", "public event"):
        context, page, meter = cold_load(browser, demo_pages[name])
        try:
            figures[name] = (meter.transferred(), len(meter.finished))
            if name == "RSVP":
                meter.reset()
                page.goto(demo_pages[name], wait_until="networkidle")
                second = page.evaluate(
                    """() => [performance.getEntriesByType('navigation')[0],
                              ...performance.getEntriesByType('resource')]
                              .filter((e) => e.transferSize > 0).length"""
                )
                figures["RSVP, second visit"] = (meter.transferred(), second)
        finally:
            context.close()
    for name, (size, requests) in figures.items():
        print(f"budget: {name}: {size / 1024:.1f} KB transferred, {requests} requests")
    for name in ("RSVP", "ticket", "survey", "public event"):
        assert figures[name][0] <= PUBLIC_BUDGET, (name, figures[name])
    assert figures["RSVP, second visit"][1] <= 2, figures["RSVP, second visit"]


def test_door_page_with_its_decoder_and_offline_copy_is_under_budget(
    playwright, demo_pages, live_server
):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=chromium_args())
    try:
        context = browser.new_context(**PHONE)
        context.add_init_script("localStorage.setItem('liqaa.door.camera', 'off')")
        meter = Meter(context)
        page = context.new_page()
        page.goto(f"{live_server}/login")
        page.fill("input[name=email]", "door@demo.liqaa.example")
        page.fill("input[name=password]", data.DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        meter.reset()  # the sign-in page is not the door page's weight
        page.goto(demo_pages["door"])
        wait_until(lambda: page.evaluate("navigator.serviceWorker.controller !== null"))
        wait_until(lambda: page.evaluate("window.liqaaDoor && window.liqaaDoor.rosterReady"))
        page.wait_for_load_state("networkidle")
        urls = [r.url for r in meter.finished]
        size = meter.transferred()
        print(f"budget: door page: {size / 1024:.1f} KB transferred, {len(urls)} requests")
        assert any("zxing_reader.wasm" in u for u in urls), urls
        assert not any("liqaa.min.css" in u for u in urls), urls  # one direction only
        assert size <= DOOR_BUDGET, (size, urls)
        context.close()
    finally:
        browser.close()
