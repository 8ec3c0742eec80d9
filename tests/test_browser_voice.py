"""The RSVP page, the ticket email and the door page in Debian's chromium, in Arabic and French,
with the glossary's words; screenshots of each land in test-artifacts/ (voice-*.png)."""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest

from blueprints.rsvp import answers
from core.outbox_delivery import deliver_due
from extensions import db
from tests.checkin.test_browser_door import sign_in
from tests.conftest import make_event
from tests.mail_kinds import NAMES
from tests.rsvp.conftest import make_invitation

WORDS = {
    "ar": {
        "rsvp": ["سأحضر", "يمكنكم إحضار"],
        "email": ["السلام عليكم كريم بنعلي،", "سلمى ويوسف", "المكان:"],
        "door": ["الحاضرون", "حضور دون دعوة"],
    },
    "fr": {
        "rsvp": ["Je viendrai", "Vous pouvez venir avec"],
        "email": ["Bonjour Karim Benali,", "Salma et Youssef", "Où\u00a0:"],
        "door": ["Entrés", "Sans invitation"],
    },
}
SHOW_PLAIN_TEXT = """(node, text) => {
  node.style.whiteSpace = "pre";
  node.style.unicodeBidi = "plaintext";
  node.textContent = text;
}"""
# The left edge, on screen, of the first place each text is found in #t.
LEFT_OF = """(texts) => texts.map((text) => {
  const node = document.getElementById("t").firstChild;
  const range = document.createRange();
  const at = node.textContent.indexOf(text);
  range.setStart(node, at);
  range.setEnd(node, at + text.length);
  return range.getBoundingClientRect().left;
})"""
GUESTS = {"ar": "كريم بنعلي", "fr": "Karim Benali"}
COMPANIONS = {"ar": ["سلمى", "يوسف"], "fr": ["Salma", "Youssef"]}


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_rsvp_page_ticket_email_and_door_page_speak_one_voice(
    app, org, door, live_server, smtp_server, browser, playwright, artifacts_dir, lang
):
    event = make_event(org, capacity=50, max_companions=2, starts_in=timedelta(hours=1))
    invitation = make_invitation(org, event, full_name=NAMES[lang], locale=lang)
    guest = make_invitation(org, event, full_name=GUESTS[lang], locale=lang)
    answers.respond(
        guest,
        answers.RsvpData(accept=True, locale=lang, companion_names=COMPANIONS[lang], consent=True),
    )
    db.session.commit()
    deliver_due()
    ((_, _, message),) = smtp_server.wait_for(1)
    email_html = message.get_body(("html",)).get_content()
    email_text = message.get_body(("plain",)).get_content()

    device = {k: v for k, v in playwright.devices["Pixel 5"].items() if k != "default_browser_type"}
    context = browser.new_context(**device, locale=f"{lang}-MA")
    page = context.new_page()
    try:
        page.goto(f"{live_server}/r/{invitation.token}")
        page.get_by_label(WORDS[lang]["rsvp"][0]).check()
        body = page.locator("body").inner_text()
        for words in WORDS[lang]["rsvp"]:
            assert words in body, words
        page.screenshot(path=os.path.join(artifacts_dir, f"voice-rsvp-{lang}.png"), full_page=True)

        page.set_content(email_html)
        body = page.locator("body").inner_text()
        for words in WORDS[lang]["email"]:
            assert words in body, words
        page.screenshot(
            path=os.path.join(artifacts_dir, f"voice-ticket-email-{lang}.png"), full_page=True
        )

        # The plain text as a mail client shows it (each line takes the direction of its first
        # letter): the time range reads left to right, start first, inside the Arabic line.
        # (Styles set through the DOM: the page's CSP refuses inline style attributes.)
        start, end = re.search(r"(\d\d:\d\d)–(\d\d:\d\d)", email_text).groups()
        page.set_content('<div id="t"></div>')
        page.locator("#t").evaluate(SHOW_PLAIN_TEXT, email_text)
        left = page.evaluate(LEFT_OF, [start, end])
        assert left[0] < left[1], (start, end, left)

        context.add_init_script("localStorage.setItem('liqaa.door.camera', 'off')")
        sign_in(page, live_server, door.email)
        page.goto(f"{live_server}/lang/{lang}?next=/door/events/{event.id}")
        page.wait_for_selector(".door-counter-label")
        body = page.locator("body").inner_text()
        for words in WORDS[lang]["door"]:
            assert words in body, words
        page.screenshot(path=os.path.join(artifacts_dir, f"voice-door-{lang}.png"), full_page=True)
    finally:
        context.close()
