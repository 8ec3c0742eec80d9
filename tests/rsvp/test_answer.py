"""The invitee's answer through the link: accept, companions, change, decline, deadline."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from blueprints.events.models import EventStatus
from blueprints.rsvp.models import RegistrationStatus, RevokedTicket
from core.db import utcnow
from core.tokens import sha256_hex
from extensions import db
from tests.conftest import make_event, make_org
from tests.rsvp.conftest import ACCEPT, DECLINE, answer, make_invitation, registration_of


def test_the_page_shows_the_event_in_the_invitees_language(client, org, event):
    arabic = make_invitation(org, event, full_name="سعيد", locale="ar")
    html = client.get(f"/r/{arabic.token}").get_data(as_text=True)
    assert 'dir="rtl"' in html and "لقاء تواصلي" in html and "كلمة الافتتاح" in html
    french = make_invitation(org, event, full_name="Nadia", locale="fr")
    html = client.get(f"/r/{french.token}").get_data(as_text=True)
    assert 'lang="fr"' in html and "Rencontre d&#39;information" in html
    # the switcher wins over the invitee's language
    html = client.get(f"/r/{french.token}?lang=ar").get_data(as_text=True)
    assert 'dir="rtl"' in html


def test_accept_with_a_companion_gives_a_ticket(client, invitation):
    response = answer(client, invitation, {**ACCEPT, "companions-0": "Salma Idrissi"})
    registration = registration_of(invitation)
    assert registration.status == RegistrationStatus.ACCEPTED
    assert registration.companions == 1
    assert [c.full_name for c in registration.companion_list] == ["Salma Idrissi"]
    assert len(registration.ticket_code) >= 22  # ≥128 bits in URL-safe base64
    assert registration.consent_at is not None
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/t/{registration.ticket_code}")
    assert (
        invitation.responded_at is not None or registration_of(invitation).invitation.responded_at
    )


def test_accept_without_consent_is_refused(client, invitation):
    response = answer(client, invitation, {"answer": "accept"})
    assert response.status_code == 422
    assert registration_of(invitation) is None


def test_preselect_from_the_email_button(client, invitation):
    html = client.get(f"/r/{invitation.token}?answer=decline").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*name="answer"[^>]*value="decline"', html)
    assert not re.search(r'<input checked[^>]*name="answer"[^>]*value="accept"', html)


def test_change_of_mind_declines_and_the_old_ticket_stops_working(client, invitation):
    answer(client, invitation, ACCEPT)
    code = registration_of(invitation).ticket_code
    assert client.get(f"/t/{code}").status_code == 200
    response = answer(client, invitation, {**DECLINE, "decline_reason": "Voyage"})
    assert response.status_code == 302
    registration = registration_of(invitation)
    assert registration.status == RegistrationStatus.DECLINED
    assert registration.ticket_code is None and registration.decline_reason == "Voyage"
    assert db.session.scalar(sa.select(RevokedTicket.code_hash)) == sha256_hex(code)
    assert client.get(f"/t/{code}").status_code == 410
    # and back again: a new code
    answer(client, invitation, ACCEPT)
    again = registration_of(invitation)
    assert again.status == RegistrationStatus.ACCEPTED and again.ticket_code != code


def test_too_many_companions_is_refused(client, invitation):
    data = {**ACCEPT, "companions-0": "A", "companions-1": "B", "companions-2": "C"}
    answer(client, invitation, data)
    registration = registration_of(invitation)
    # only max_companions (2) rows exist in the form; a third is ignored, never stored
    assert registration.companions <= 2


def test_after_the_deadline_the_page_says_so_and_keeps_the_ticket(client, org):
    event = make_event(org, rsvp_deadline=utcnow() + timedelta(days=1))
    invitation = make_invitation(org, event)
    answer(client, invitation, ACCEPT)
    code = registration_of(invitation).ticket_code
    event.rsvp_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    html = client.get(f"/r/{invitation.token}").get_data(as_text=True)
    assert "Les réponses à cette rencontre sont clôturées." in html
    assert f"/t/{code}" in html
    token = client.get(f"/t/{code}").get_data(as_text=True)
    assert "csrf_token" in token
    from tests.conftest import csrf_token_from

    client.post(
        f"/r/{invitation.token}",
        data={**DECLINE, "csrf_token": csrf_token_from(token)},
    )
    assert registration_of(invitation).status == RegistrationStatus.ACCEPTED


def test_cancelled_event_says_so(client, org):
    event = make_event(org, status=EventStatus.CANCELLED)
    invitation = make_invitation(org, event)
    html = client.get(f"/r/{invitation.token}").get_data(as_text=True)
    assert "annulé" in html or "cancelled" in html
    assert 'name="answer"' not in html


def test_forged_or_wrong_tokens_are_not_found(client, invitation):
    answer(client, invitation, ACCEPT)
    code = registration_of(invitation).ticket_code
    assert client.get("/r/not-a-token").status_code == 404
    assert client.get("/r/" + "x" * 500).status_code == 404
    assert client.get(f"/r/{code}").status_code == 404  # a ticket code is not an invitation
    assert client.get(f"/t/{invitation.token}").status_code == 404
    assert client.get("/t/" + invitation.token[:-1] + "A").status_code == 404


def test_draft_event_invitation_is_not_found(client, org):
    event = make_event(org, status=EventStatus.DRAFT)
    invitation = make_invitation(org, event)
    assert client.get(f"/r/{invitation.token}").status_code == 404


def test_post_without_csrf_is_refused(client, invitation):
    response = client.post(f"/r/{invitation.token}", data=ACCEPT)
    assert response.status_code == 400
    assert registration_of(invitation) is None


def test_other_organisations_event_is_isolated(client, invitation):
    other = make_org("other", name_fr="Autre")
    other_event = make_event(other)
    other_invitation = make_invitation(other, other_event)
    answer(client, invitation, ACCEPT)
    answer(client, other_invitation, ACCEPT)
    mine = registration_of(invitation)
    theirs = registration_of(other_invitation)
    assert mine.organisation_id != theirs.organisation_id
    assert theirs.event_id == other_event.id
