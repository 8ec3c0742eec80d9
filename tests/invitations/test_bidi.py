"""A name with a right-to-left override cannot reverse the rest of a page or an email."""

from __future__ import annotations

from core.outbox_delivery import deliver_due
from extensions import db
from tests.conftest import make_member
from tests.invitations.conftest import invite

RLO, PDI = "\u202e", "\u2069"
REORDERING = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_bidi_overrides_in_user_text_reach_neither_pages_nor_emails(
    as_organiser, org, event, smtp_server
):
    member = make_member(
        org, f"{RLO}Karim{PDI} Benali", email="karim@example.ma", company=f"{RLO}Atelier",
        locale="fr",
    )  # fmt: skip
    event.title_fr = f"Rencontre {RLO}CNSS"
    db.session.commit()
    pages = [
        as_organiser.get("/members").get_data(as_text=True),
        as_organiser.get(f"/members/{member.id}").get_data(as_text=True),
        as_organiser.get(f"/events/{event.id}").get_data(as_text=True),
    ]
    assert "Karim" in pages[0] and "Atelier" in pages[1] and "CNSS" in pages[2]
    for html in pages:
        assert not any(ch in html for ch in REORDERING)

    invite(event, member_ids=[member.id])
    assert deliver_due() == (1, 0)
    (_, _, message), *_ = smtp_server.wait_for(1)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Karim" in text and "CNSS" in message["Subject"] + text
    for part in (text, html, str(message["Subject"])):
        assert not any(ch in part for ch in REORDERING)
