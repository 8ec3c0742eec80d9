"""Choosing recipients by thumb: checkboxes that work without JavaScript, and with it a
search by name, company or phone, "choose all shown" and a live count."""

from __future__ import annotations

import os
import re

import pytest

from tests.conftest import PASSWORD, csrf_token_from, make_member


def test_recipients_are_checkboxes_and_a_form_without_javascript_sends_them(
    as_organiser, event, invitees
):
    url = f"/events/{event.id}/invitations/new"
    html = as_organiser.get(url).get_data(as_text=True)
    assert "<select" not in html and "Ctrl" not in html
    boxes = re.findall(r'<input type="checkbox" id="[^"]+" name="members" value="(\d+)"', html)
    assert sorted(int(b) for b in boxes) == sorted(m.id for m in invitees)
    assert 'name="trades" value="BTP"' in html
    token = csrf_token_from(html)
    chosen = [str(invitees[0].id), str(invitees[3].id)]
    preview = as_organiser.post(url, data={"csrf_token": token, "members": chosen, "preview": "1"})
    page = preview.get_data(as_text=True)
    assert "Seront invités maintenant\u00a0: 2" in page
    for value in chosen:  # still ticked on the answer page
        assert f'name="members" value="{value}" checked' in page


@pytest.mark.browser
def test_recipients_are_found_and_chosen_on_a_phone_in_arabic(
    browser, live_server, org, organiser, event, invitees, artifacts_dir
):
    make_member(org, "سعيد المراكشي", company="مطبعة الريف", phone="+212661234599", email="s@x.ma")
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ar-MA")
    try:
        page = context.new_page()
        page.goto(f"{live_server}/login")
        page.fill("#email", organiser.email)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{live_server}/events/{event.id}/invitations/new?lang=ar")
        search = page.locator("[data-chooser-search]")
        people = "[data-chooser]:has([data-chooser-search]) .chooser-list li:visible"
        search.fill("مطبعه")  # the company, ta marbuta typed as ha
        visible = page.locator(people)
        assert visible.count() == 1 and "سعيد المراكشي" in visible.inner_text()
        search.fill("4599")  # the end of the phone number
        assert page.locator(people).count() == 1
        search.fill("")
        page.get_by_text("أمينة الريفي").click()  # a tap on the name ticks the box
        assert page.locator("[data-chooser-count]").inner_text().endswith("1")
        box = page.locator(".chooser-item").first.bounding_box()
        assert box["height"] >= 44
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=os.path.join(artifacts_dir, "recipients-ar-360.png"), full_page=True)
        page.locator("[name=preview]").click()
        assert "1" in page.locator("#summary strong").inner_text()
    finally:
        context.close()
