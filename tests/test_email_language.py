"""Emails and the pages of personal links speak the person's saved language: the sender's
name is the organisation's in that language, English times use a 24-hour clock, and the
unsubscribe and revoked-ticket pages follow the person, not the browser."""

from __future__ import annotations

import re

import pytest

from blueprints.invitations.models import Invitation
from blueprints.rsvp import seats
from blueprints.rsvp.models import Registration
from extensions import db
from tests.mail_kinds import send_every_kind

SENDERS = {"ar": "جمعية تجريبية", "fr": "Association test", "en": "Association des TPE"}


@pytest.mark.parametrize("locale", ["ar", "fr", "en"])
def test_every_email_comes_from_the_organisation_in_the_recipients_language(
    org, smtp_server, locale
):
    org.sender_name = "Association des TPE"  # used only where the org has no name in a language
    db.session.commit()
    for kind, (_, parsed) in send_every_kind(org, smtp_server, locale).items():
        assert parsed["From"].addresses[0].display_name == SENDERS[locale], kind


def test_english_emails_use_a_24_hour_clock(org, smtp_server):
    event_hours = re.compile(r"\b([01]?\d|2[0-3]):[0-5]\d\b")
    for kind, (_, parsed) in send_every_kind(org, smtp_server, "en").items():
        for part in (parsed.get_body(("plain",)), parsed.get_body(("html",))):
            content = part.get_content()
            assert not re.search(r"\d\s?[AP]M\b", content), (kind, content)
        if kind in ("invitation", "rsvp_ticket", "event_notice"):
            assert event_hours.search(parsed.get_body(("plain",)).get_content()), kind


def _member_page(client, url: str) -> str:
    """The page as a browser that prefers English and has chosen nothing on this site."""
    return client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_the_unsubscribe_page_speaks_the_members_language(client, org, smtp_server):
    send_every_kind(org, smtp_server, "ar", kinds={"invitation"})
    token = db.session.scalar(db.select(Invitation)).token
    page = _member_page(client, f"/u/{token}")
    assert 'dir="rtl"' in page and 'lang="ar"' in page
    assert 'dir="rtl"' not in _member_page(client, f"/u/{token}?lang=en")  # their own choice


def test_the_revoked_ticket_page_speaks_the_holders_language(client, org, smtp_server):
    send_every_kind(org, smtp_server, "fr", kinds={"rsvp_ticket"})
    registration = db.session.scalar(db.select(Registration))
    old_code = registration.ticket_code
    seats.revoke_ticket(registration)
    db.session.commit()
    response = client.get(f"/t/{old_code}", headers={"Accept-Language": "en"})
    assert response.status_code == 410
    assert 'lang="fr"' in response.get_data(as_text=True)
    assert client.get("/t/never-issued-code", headers={"Accept-Language": "en"}).status_code == 404
