"""Every kind of email, as the test SMTP server received it, has a complete plain-text
part that reads on its own: one piece of information per line, every link of the HTML."""

from __future__ import annotations

import re

import pytest

from tests.mail_kinds import NAMES, send_every_kind

VENUE = "Salle CNSS Nador, Boulevard Principal, Nador"
MAP = "https://www.openstreetmap.org/?mlat=35.17&mlon=-2.93"
PROGRAMME = {
    "ar": ("كلمة الافتتاح", "أسئلة وأجوبة"),
    "fr": ("Mot d'ouverture", "Questions et réponses"),
}


@pytest.mark.parametrize("locale", ["ar", "fr", "en"])
def test_every_email_has_a_readable_text_part_with_every_link(org, smtp_server, locale):
    for kind, (_, parsed) in send_every_kind(org, smtp_server, locale).items():
        text = parsed.get_body(("plain",)).get_content()
        html = parsed.get_body(("html",)).get_content()
        lines = [line.strip() for line in text.splitlines()]
        assert NAMES[locale] in text, kind
        for url in set(re.findall(r'href="(https?://[^"]+)"', html)):
            url = url.replace("&amp;", "&")
            assert any(line == url or line.endswith(" " + url) for line in lines), (kind, url)
        if VENUE in text:  # the venue ends its line: nothing glued after it
            assert any(line.endswith(VENUE) for line in lines), (kind, text)
        if MAP in text:
            assert any(line.endswith(" " + MAP) and line.count(":") == 2 for line in lines), kind
        for item in PROGRAMME.get(locale, ()) if "- " in text else ():
            assert f"- {item}" in lines, (kind, item, text)
