"""The invitee's pages on a 360 px phone, measured in Debian's chromium.

- The RSVP page puts the answer first: "I will come" and "I cannot come" are two large
  buttons on the first screen, the event's details after; then only what the chosen
  answer needs shows (by CSS: the same without JavaScript, and nothing moves on load).
- Arabic and Latin text mixed: a French venue, a Latin name and a phone number on an Arabic
  page keep their own order (measured from where each character is drawn); the venue is
  the one of the page's language when the event has both.
"""

from __future__ import annotations

import os
import re
import time

import pytest

from blueprints.privacy import mydata
from extensions import db
from tests.conftest import make_event, make_member
from tests.rsvp.conftest import make_invitation, make_question, registration_of

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}
BRAND = "rgb(11, 110, 79)"
LONG = "Présentation des services en ligne Damancom et de la couverture médicale. " * 6
# x of the middle of each character of the element's text, in reading order of the string.
CHAR_XS = """(el) => {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const xs = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.data.length; i++) {
      if (!node.data[i].trim()) continue;
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const box = range.getBoundingClientRect();
      xs.push([node.data[i], box.left + box.width / 2]);
    }
  }
  return xs;
}"""


def box(page, selector):
    return page.locator(selector).first.bounding_box()


@pytest.fixture
def invitation(org):
    event = make_event(
        org,
        capacity=50,
        max_companions=2,
        description_fr=LONG,
        description_ar="عرض الخدمات الإلكترونية للضمان الاجتماعي. " * 8,
    )
    make_question(event, position=0, label_ar="الحرفة", label_fr="Métier")
    return make_invitation(org, event, full_name="Karim Benali", locale="fr")


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_the_answer_comes_first_as_two_large_buttons(
    browser, live_server, invitation, lang, artifacts_dir
):
    context = browser.new_context(**PHONE, locale=lang)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/r/{invitation.token}?lang={lang}")
        accept, decline = box(page, ".rsvp-answer-accept"), box(page, ".rsvp-answer-decline")
        for button in (accept, decline):
            assert button["height"] >= 44 and button["width"] >= 120, button
            assert button["x"] >= 0 and button["x"] + button["width"] <= 360, button
            assert button["y"] + button["height"] <= 640, button  # on the first screen
        assert abs(accept["y"] - decline["y"]) < 2  # side by side
        if lang == "ar":
            assert accept["x"] > decline["x"]  # the first answer on the reading side
        details = box(page, ".rsvp-details")
        assert details["y"] > accept["y"] + accept["height"]  # the details come after
        # Before a choice, nothing of either answer's follow-up shows.
        for hidden in ("#companions-0", "#consent", "#decline_reason", ".rsvp-send"):
            assert not page.locator(hidden).is_visible(), hidden
        page.locator(".rsvp-answer-decline").click()
        assert page.locator("#decline_reason").is_visible()
        assert not page.locator("#companions-0").is_visible()
        chosen = page.locator(".rsvp-answer-decline")
        assert chosen.evaluate("e => getComputedStyle(e).backgroundColor") == BRAND
        page.locator(".rsvp-answer-accept").click()
        assert page.locator("#companions-0").is_visible() and page.locator("#consent").is_visible()
        assert not page.locator("#decline_reason").is_visible()
        page.screenshot(path=os.path.join(artifacts_dir, f"rsvp-choice-first-{lang}-360.png"))
    finally:
        context.close()


def test_without_javascript_the_choice_reveals_its_fields_and_the_answer_is_sent(
    browser, live_server, invitation
):
    context = browser.new_context(**PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/r/{invitation.token}?lang=fr")
        assert not page.locator("#consent").is_visible()
        page.locator(".rsvp-answer-accept").click()
        for shown in ("#companions-0", "#consent", ".rsvp-send"):
            assert page.locator(shown).is_visible(), shown
        page.locator("#companions-0").fill("Salma Idrissi")
        page.locator("#consent").check()
        page.locator(".rsvp-send").click()
        page.wait_for_url(re.compile(r".*/t/[\w-]+$"))
    finally:
        context.close()
    registration = registration_of(invitation)
    assert registration.status.value == "accepted"
    assert [c.full_name for c in registration.companion_list] == ["Salma Idrissi"]


def test_the_rsvp_page_does_not_move_while_it_loads(browser, live_server, invitation):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        page.add_init_script(
            """window.__shift = 0;
            new PerformanceObserver((list) => {
              for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value;
            }).observe({type: 'layout-shift', buffered: true});"""
        )
        # A weak mobile connection: the page's script arrives well after its first paint.
        page.route("**/rsvp/rsvp.js*", lambda route: (time.sleep(0.8), route.continue_()))
        page.goto(f"{live_server}/r/{invitation.token}?lang=ar", wait_until="networkidle")
        page.wait_for_timeout(300)
        assert page.evaluate("window.__shift") < 0.01  # Lighthouse measured 0.588 before
    finally:
        context.close()


def test_mixed_scripts_keep_their_order_on_an_arabic_page(browser, live_server, org):
    event = make_event(
        org,
        venue_name="Salle 3 (CNSS), Nador",
        venue_name_ar="القاعة 3 (الضمان الاجتماعي)",
        venue_name_fr="Salle 3 (CNSS), Nador",
        description_ar="لقاء تواصلي",
    )
    only_latin = make_event(org, venue_name="Salle 3 (CNSS), Nador")
    invitation = make_invitation(org, event, full_name="Karim Benali", locale="ar")
    other = make_invitation(org, only_latin, make_member(org, "Salma Idrissi", locale="ar"))
    member = make_member(
        org, "Nadia El Amrani", email="nadia@example.ma", phone="+212661234501", locale="ar"
    )
    link = mydata.issue_link(member)
    db.session.commit()
    context = browser.new_context(**PHONE, locale="ar-MA")
    page = context.new_page()
    try:
        # The venue in the page's language when the event has both.
        page.goto(f"{live_server}/r/{invitation.token}")
        assert page.locator("html").get_attribute("dir") == "rtl"
        venue = page.locator(".rsvp-details bdi.venue").first
        assert venue.inner_text() == "القاعة 3 (الضمان الاجتماعي)"
        page.goto(f"{live_server}/r/{invitation.token}?lang=fr")
        assert page.locator(".rsvp-details bdi.venue").first.inner_text() == "Salle 3 (CNSS), Nador"

        # A French venue inside the Arabic page reads left to right, brackets in place.
        page.goto(f"{live_server}/r/{other.token}")
        xs = page.locator(".rsvp-details bdi.venue").first.evaluate(CHAR_XS)
        assert "".join(c for c, _ in xs) == "Salle3(CNSS),Nador"
        assert [x for _, x in xs] == sorted(x for _, x in xs), xs  # left to right, in order
        # A Latin name in the Arabic greeting keeps its own order.
        greeting = page.locator(".rsvp-page > p.mb-2 bdi").first
        xs = greeting.evaluate(CHAR_XS)
        assert "".join(c for c, _ in xs) == "SalmaIdrissi"
        assert [x for _, x in xs] == sorted(x for _, x in xs), xs  # not "Idrissi Salma"
        # Typed text follows its own script.
        reason = page.locator("#decline_reason")
        assert reason.get_attribute("dir") == "auto"
        reason.evaluate("e => { e.style.display = 'block'; e.value = 'Déplacement à Rabat' }")
        assert reason.evaluate("e => e.matches(':dir(ltr)')")

        # A phone number on the Arabic page: its digits in order, "+" first, left to right.
        page.goto(f"{live_server}/my-data/open/{link.token}")
        phone = page.locator('bdi.phone[dir="ltr"]')
        xs = [(c, x) for c, x in phone.evaluate(CHAR_XS) if not c.isspace()]  # grouped
        assert "".join(c for c, _ in xs) == "+212661234501"
        assert [x for _, x in xs] == sorted(x for _, x in xs), xs
        assert page.locator("input[name=phone]").get_attribute("dir") == "ltr"
        assert page.locator("input[name=full_name]").get_attribute("dir") == "auto"
    finally:
        context.close()


def test_a_wrong_link_reads_on_a_phone_in_arabic(browser, live_server, artifacts_dir):
    context = browser.new_context(**PHONE, locale="ar-MA")
    page = context.new_page()
    try:
        response = page.goto(f"{live_server}/t/cut-in-two-by-a-mail-client")
        assert response.status == 404
        assert page.locator("html").get_attribute("dir") == "rtl"
        heading = page.locator(".link-problem h1")
        assert heading.inner_text() == "هذا الرابط لا يُفتح"
        assert heading.bounding_box()["y"] < 640
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=os.path.join(artifacts_dir, "link-problem-ar-360.png"))
    finally:
        context.close()
