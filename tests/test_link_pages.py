"""A personal link that does not open (RSVP, ticket and its calendar file, survey, unsubscribe,
my data, the reply to an answer) lands on one page: in the visitor's language (or the
holder's, when the link tells who held it), saying what to do next, with the organisers'
contact when known, never a stack trace or a raw code, with 404 for a link nobody issued
and 410 for one that expired, was used or was revoked."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from blueprints.events.models import EventStatus
from blueprints.privacy import mydata
from blueprints.rsvp import seats
from core.db import utcnow
from extensions import db
from tests.conftest import make_event, make_member
from tests.rsvp.conftest import ACCEPT, answer, make_invitation, registration_of

WRONG = "cut-in-two-by-a-mail-client"
LINKS = {
    "rsvp": f"/r/{WRONG}",
    "confirmation": f"/confirm/{WRONG}",
    "ticket": f"/t/{WRONG}",
    "survey": f"/s/{WRONG}",
    "unsubscribe": f"/u/{WRONG}",
    "my data": f"/my-data/open/{WRONG}",
    "ticket in a calendar": f"/t/{WRONG}/event.ics",
    "reply to an answer": f"/f/{WRONG}",
}
# What each page says in each language (the heading, and a word of what to do next).
SAYS = {
    "ar": ("هذا الرابط لا يُفتح", "المنظمين"),
    "fr": ("Ce lien ne s’ouvre pas", "organisateurs"),
}
RAW = re.compile(r"Traceback|Exception|Error\b|\b40[0-9]\b|\b410\b|Not Found|Gone")


def shown_text(html: str) -> str:
    """The words a person reads: the page without its tags, scripts and styles."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


@pytest.mark.parametrize("lang", ["ar", "fr"])
@pytest.mark.parametrize("kind", sorted(LINKS))
def test_a_wrong_link_says_what_to_do_in_the_visitors_language(client, lang, kind):
    response = client.get(LINKS[kind], headers={"Accept-Language": lang})
    assert response.status_code == 404  # nobody issued it: not a redirect to the sign-in
    html = response.get_data(as_text=True)
    assert f'lang="{lang}"' in html and 'class="mx-auto link-problem"' in html
    text = shown_text(html)
    heading, _ = SAYS[lang]
    assert heading in text
    assert not RAW.search(text), RAW.search(text)
    assert "noindex" in html


def test_a_revoked_ticket_names_the_organisers_in_the_holders_language(client, org):
    org.reply_to = "contact@amte-nador.ma"
    event = make_event(org, capacity=10)
    invitation = make_invitation(org, event, full_name="Salma Idrissi", locale="ar")
    answer(client, invitation, ACCEPT)
    old_code = registration_of(invitation).ticket_code
    seats.revoke_ticket(registration_of(invitation))
    db.session.commit()
    response = client.application.test_client().get(
        f"/t/{old_code}", headers={"Accept-Language": "fr"}
    )
    assert response.status_code == 410
    calendar = client.application.test_client().get(f"/t/{old_code}/event.ics")
    assert calendar.status_code == 410 and 'lang="ar"' in calendar.get_data(as_text=True)
    html = response.get_data(as_text=True)
    assert 'lang="ar"' in html and 'data-problem="revoked"' in html
    assert "mailto:contact@amte-nador.ma" in html and org.name_ar in shown_text(html)
    assert not RAW.search(shown_text(html))


def test_a_used_or_expired_my_data_link_is_gone_and_offers_a_new_one(client, org):
    member = make_member(org, "Karim", email="k@example.ma", locale="fr")
    used = mydata.issue_link(member)
    expired = mydata.issue_link(member)
    expired.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"/my-data/open/{used.token}").status_code == 302
    again = client.application.test_client().get(
        f"/my-data/open/{used.token}", headers={"Accept-Language": "fr"}
    )
    late = client.get(f"/my-data/open/{expired.token}", headers={"Accept-Language": "fr"})
    assert (again.status_code, late.status_code) == (410, 410)
    assert 'data-problem="used"' in again.get_data(as_text=True)
    assert 'data-problem="expired"' in late.get_data(as_text=True)
    for response in (again, late):
        assert 'href="/my-data"' in response.get_data(as_text=True)  # ask for a new one


def test_a_draft_events_invitation_is_a_wrong_link(client, org):
    event = make_event(org, status=EventStatus.DRAFT)
    invitation = make_invitation(org, event)
    response = client.get(f"/r/{invitation.token}", headers={"Accept-Language": "fr"})
    assert response.status_code == 404 and SAYS["fr"][0] in response.get_data(as_text=True)
