"""The event form on a phone, in a real chromium: six sections, a save button always in
sight, programme rows added in place, and errors beside their fields and summed up at the
top without losing anything typed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from blueprints.events.models import Event, ProgrammeItem
from extensions import db
from tests.checkin.test_browser_door import sign_in
from tests.conftest import CHROMIUM, chromium_args

pytestmark = pytest.mark.browser

SECTIONS = ["section-what", "section-when", "section-where", "section-places",
            "section-cohosts", "section-programme"]  # fmt: skip


def in_viewport(page, selector) -> bool:
    box = page.locator(selector).bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_event_form_on_a_phone(playwright, live_server, organiser, artifacts_dir, lang):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=chromium_args())
    try:
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale=lang)
        page = context.new_page()
        sign_in(page, live_server, organiser.email)
        page.goto(f"{live_server}/events/new?lang={lang}")
        ids = page.eval_on_selector_all("form.event-form > section", "s => s.map(e => e.id)")
        assert ids == SECTIONS
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
        save = ".save-bar button[type=submit]"
        assert in_viewport(page, save)
        page.click("a[href='#section-programme']")
        page.wait_for_timeout(300)
        assert in_viewport(page, save)

        # A programme row added in place, without saving.
        rows = page.locator("fieldset.programme-row")
        before = rows.count()
        page.click("#add-programme-item")
        assert rows.count() == before + 1
        new_row = before  # its index
        assert page.locator(f"#programme-{new_row}-title_fr").input_value() == ""
        assert page.evaluate("document.activeElement.id") == f"programme-{new_row}-starts_at"

        # Fill in, with the end before the start.
        page.fill("#title_fr", "Rencontre d’information CNSS")
        page.fill("#description_ar", "لقاء تواصلي حول التغطية الصحية")
        page.fill("#venue_name", "Agence CNSS Nador")
        page.fill("#starts_at", "2031-10-25T15:30")
        page.fill("#ends_at", "2031-10-25T14:00")
        page.fill(f"#programme-{new_row}-title_fr", "Questions et réponses")
        page.click(save)
        page.wait_for_load_state("load")

        # The error beside its field, summed up at the top with a link to the field.
        assert page.locator("#ends_at").get_attribute("aria-invalid") == "true"
        assert page.locator("#ends_at-errors").is_visible()
        summary = page.locator("#form-errors")
        assert summary.is_visible()
        assert summary.locator("a[href='#ends_at']").count() == 1
        # Nothing typed is lost, the added row included.
        assert page.locator("#title_fr").input_value() == "Rencontre d’information CNSS"
        assert page.locator("#description_ar").input_value() == "لقاء تواصلي حول التغطية الصحية"
        assert page.locator("#venue_name").input_value() == "Agence CNSS Nador"
        assert page.locator("#starts_at").input_value() == "2031-10-25T15:30"
        assert (
            page.locator(f"#programme-{new_row}-title_fr").input_value() == "Questions et réponses"
        )
        page.screenshot(path=f"{artifacts_dir}/event-form-error-{lang}-360.png", full_page=True)

        page.fill("#ends_at", "2031-10-25T19:30")
        page.click(save)
        page.wait_for_url(lambda url: "/events/new" not in url)
        db.session.expire_all()
        event = db.session.scalar(sa.select(Event))
        assert event.title_fr == "Rencontre d’information CNSS"
        items = db.session.scalars(sa.select(ProgrammeItem)).all()
        assert [item.title_fr for item in items] == ["Questions et réponses"]
        context.close()
    finally:
        browser.close()
