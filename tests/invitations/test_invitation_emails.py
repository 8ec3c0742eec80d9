"""Invitations reach a real SMTP server in each member's language, with working links."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from icalendar import Calendar

from blueprints.invitations import reminders
from blueprints.invitations.models import EventNotice, Invitation
from blueprints.members.models import Member
from blueprints.rsvp import answers
from blueprints.rsvp.models import Registration, RegistrationStatus
from core.db import utcnow
from core.outbox import OutboxMessage, OutboxState
from core.outbox_delivery import deliver_due
from extensions import db
from tests.conftest import csrf_token_from, make_member
from tests.invitations.conftest import invite


def _by_recipient(smtp_server, count):
    return {rcpt[0]: parsed for _, rcpt, parsed in smtp_server.wait_for(count)}


def test_organiser_invites_one_trade_and_each_email_is_in_the_members_language(
    as_organiser, event, invitees, smtp_server
):
    url = f"/events/{event.id}/invitations/new"
    token = csrf_token_from(as_organiser.get(url).get_data(as_text=True))
    preview = as_organiser.post(url, data={"csrf_token": token, "trades": ["BTP"], "preview": "1"})
    html = preview.get_data(as_text=True)
    assert "Seront invités maintenant\u00a0: 3" in html and "Sans Email" in html
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0
    done = as_organiser.post(url, data={"csrf_token": token, "trades": ["BTP"], "confirm": "1"})
    assert done.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 3

    assert deliver_due() == (2, 0)
    mails = _by_recipient(smtp_server, 2)
    assert set(mails) == {"amina@example.ma", "jean@example.ma"}
    arabic, french = mails["amina@example.ma"], mails["jean@example.ma"]
    assert arabic["Subject"].startswith("دعوة") and "لقاء تواصلي" in arabic["Subject"]
    assert french["Subject"].startswith("Invitation") and "Rencontre" in french["Subject"]
    senders = {"ar": "جمعية تجريبية", "fr": "Association test"}  # the org's own names
    for parsed, member in ((arabic, invitees[0]), (french, invitees[1])):
        invitation = db.session.scalar(
            sa.select(Invitation).where(Invitation.member_id == member.id)
        )
        assert parsed["From"].addresses[0].display_name == senders[member.locale]
        assert parsed["Reply-To"] == "organisatrice@assoc.ma"
        assert parsed["List-Unsubscribe"] == f"<http://liqaa.test/u/{invitation.token}>"
        assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        message = db.session.scalar(
            sa.select(OutboxMessage).where(OutboxMessage.about("invitation", invitation.id))
        )
        assert parsed["Message-ID"] == message.message_id and message.state == OutboxState.SENT
        text = parsed.get_body(("plain",)).get_content()
        html = parsed.get_body(("html",)).get_content()
        accept = f"http://liqaa.test/r/{invitation.token}?answer=accept"
        assert accept in text and f"/r/{invitation.token}?answer=decline" in text
        assert accept.replace("&", "&amp;") in html
        assert f"/u/{invitation.token}" in html
        assert "<img" not in html  # no tracking pixel
        assert "openstreetmap" in html
        (ics,) = [p for p in parsed.iter_attachments() if p.get_filename() == "invitation.ics"]
        calendar = Calendar.from_ical(ics.get_content())
        (vevent,) = calendar.walk("VEVENT")
        assert vevent.decoded("dtstart") == event.starts_at
        assert vevent.decoded("dtend") == event.ends_at
    assert 'dir="rtl"' in arabic.get_body(("html",)).get_content()
    assert "سأحضر" in arabic.get_body(("html",)).get_content()
    assert "Oui, je viendrai" in french.get_body(("html",)).get_content()


def test_inviting_again_invites_only_new_people(event, invitees, smtp_server):
    assert invite(event, everyone=True).invited == 4
    latecomer = make_member(event.organisation, "Nouveau Venu", email="new@example.ma")
    again = invite(event, everyone=True)
    assert again.invited == 1 and again.emailed == 1
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 5
    keys = set(db.session.scalars(sa.select(OutboxMessage.to_email)))
    assert "new@example.ma" in keys and len(keys) == 4
    assert latecomer.id in set(db.session.scalars(sa.select(Invitation.member_id)))


def test_one_click_unsubscribe_stops_queued_mail_and_tokens_are_unguessable(
    client, event, invitees, smtp_server
):
    invite(event, everyone=True)
    invitation = db.session.scalar(
        sa.select(Invitation).where(Invitation.member_id == invitees[1].id)
    )
    assert len(invitation.token) >= 22  # ≥ 128 bits in URL-safe base64
    assert client.get("/u/forged-token-123").status_code == 404
    page = client.get(f"/u/{invitation.token}")
    assert page.status_code == 200 and "csrf_token" in page.get_data(as_text=True)
    # what a mail client sends for RFC 8058 one-click: no cookie, no CSRF token
    response = client.post(f"/u/{invitation.token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Member, invitees[1].id).unsubscribed_at is not None
    message = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.about("invitation", invitation.id))
    )
    assert message.state == OutboxState.CANCELLED
    deliver_due()
    assert "jean@example.ma" not in {r[0] for _, r, _ in smtp_server.wait_for(2, timeout=3)}


def test_reminders_skip_answered_unsubscribed_and_recently_reminded(event, invitees, smtp_server):
    invite(event, everyone=True)
    deliver_due()
    smtp_server.wait_for(3)
    smtp_server.messages.clear()
    answered = db.session.scalar(
        sa.select(Invitation).where(Invitation.member_id == invitees[0].id)
    )
    answers.respond(answered, answers.RsvpData(accept=False, locale="fr"))  # sends nothing
    invitees[3].unsubscribed_at = utcnow()
    db.session.commit()
    assert reminders.remind(event) == 1  # Jean only (no email for one, one answered, one left)
    db.session.commit()
    assert reminders.remind(event) == 0  # not twice in 24 hours
    db.session.commit()
    assert deliver_due() == (1, 0)
    ((_, rcpt, parsed),) = smtp_server.wait_for(1)
    assert rcpt == ["jean@example.ma"] and parsed["Subject"].startswith("Rappel")
    # a reminder queued before an answer arrives is dropped at send time
    later = utcnow() + timedelta(hours=25)
    assert reminders.remind(event, now=later) == 1
    db.session.commit()
    jean = db.session.scalar(sa.select(Invitation).where(Invitation.member_id == invitees[1].id))
    jean.responded_at = utcnow()
    db.session.commit()
    assert deliver_due(now=later) == (0, 0)
    skipped = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "reminder"))
    assert [m.state for m in skipped] == [OutboxState.SENT, OutboxState.CANCELLED]


def test_scheduled_reminders_are_queued_by_the_workers_when_due(event, invitees):
    invite(event, everyone=True)
    reminders.set_schedule(event, [3, 1])
    db.session.commit()
    assert reminders.run_due_reminders() == 0  # the event is two weeks away
    three_days_before = event.starts_at - timedelta(days=3) + timedelta(minutes=1)
    assert reminders.run_due_reminders(now=three_days_before) == 3
    db.session.commit()
    assert reminders.run_due_reminders(now=three_days_before) == 0
    kinds = list(db.session.scalars(sa.select(OutboxMessage.kind)))
    assert kinds.count("reminder") == 3


def test_a_moved_event_notifies_invitees_and_registrants_after_confirmation(
    as_organiser, event, invitees, smtp_server
):
    invite(event, everyone=True)
    assert deliver_due() == (3, 0)
    smtp_server.wait_for(3)
    smtp_server.messages.clear()
    db.session.add(
        Registration(
            organisation_id=event.organisation_id,
            event_id=event.id,
            full_name="Walk In",
            email="walkin@example.ma",
            locale="ar",
            status=RegistrationStatus.ACCEPTED,
        )
    )
    db.session.commit()
    edit = as_organiser.get(f"/events/{event.id}/edit").get_data(as_text=True)
    from core.i18n import to_local

    local_start = to_local(event.starts_at + timedelta(days=1))
    local_end = to_local(event.ends_at + timedelta(days=1))
    response = as_organiser.post(
        f"/events/{event.id}/edit",
        data={
            "csrf_token": csrf_token_from(edit),
            "title_ar": event.title_ar,
            "title_fr": event.title_fr,
            "venue_name": event.venue_name,
            "venue_address": event.venue_address,
            "map_url": event.map_url,
            "starts_at": local_start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": local_end.strftime("%Y-%m-%dT%H:%M"),
            "capacity": "120",
            "max_companions": "1",
        },
    )
    assert response.status_code == 302
    notice = db.session.scalar(sa.select(EventNotice))
    assert notice is not None and notice.change_set == {"time"}
    assert deliver_due() == (0, 0)  # nothing leaves before the organiser confirms
    page = as_organiser.get(f"/events/{event.id}/invitations").get_data(as_text=True)
    assert f"/notices/{notice.id}/send" in page
    send = as_organiser.post(
        f"/events/{event.id}/notices/{notice.id}/send", data={"csrf_token": csrf_token_from(page)}
    )
    assert send.status_code == 302
    assert deliver_due() == (4, 0)
    mails = _by_recipient(smtp_server, 4)
    assert set(mails) == {
        "amina@example.ma",
        "jean@example.ma",
        "other@example.ma",
        "walkin@example.ma",
    }
    assert mails["other@example.ma"]["Subject"].startswith("Change:")
    assert mails["walkin@example.ma"]["Subject"].startswith("تغيير")
    assert mails["jean@example.ma"]["Subject"].startswith("Changement")
    (ics,) = list(mails["jean@example.ma"].iter_attachments())
    (vevent,) = Calendar.from_ical(ics.get_content()).walk("VEVENT")
    db.session.expire_all()
    assert vevent.decoded("dtstart") == db.session.get(type(event), event.id).starts_at


def test_whatsapp_link_carries_the_invitation_in_the_members_language(
    as_organiser, event, invitees
):
    invite(event, everyone=True)
    invitation = db.session.scalar(
        sa.select(Invitation).where(Invitation.member_id == invitees[0].id)
    )
    page = as_organiser.get(f"/events/{event.id}/invitations").get_data(as_text=True)
    response = as_organiser.post(
        f"/invitations/{invitation.id}/whatsapp", data={"csrf_token": csrf_token_from(page)}
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert re.match(r"https://wa\.me/2126\d{8}\?text=", location)
    from urllib.parse import unquote

    text = unquote(location.split("?text=", 1)[1])
    assert "أمينة الريفي" in text and f"/r/{invitation.token}" in text and "تدعوكم" in text
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).shared_by_hand_at is not None
    sheet = as_organiser.get(f"/events/{event.id}/invitations/print").get_data(as_text=True)
    assert sheet.count("<svg") == 4 and "أمينة الريفي" in sheet


def test_draft_events_cannot_invite_and_other_orgs_events_are_hidden(as_organiser, org, invitees):
    from blueprints.events.models import EventStatus
    from tests.conftest import make_event, make_org

    draft = make_event(org, status=EventStatus.DRAFT)
    url = f"/events/{draft.id}/invitations/new"
    token = csrf_token_from(as_organiser.get(url).get_data(as_text=True))
    response = as_organiser.post(url, data={"csrf_token": token, "everyone": "y", "confirm": "1"})
    assert "Publiez l" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0
    foreign = make_event(make_org("foreign"))
    assert as_organiser.get(f"/events/{foreign.id}/invitations").status_code == 404
    assert as_organiser.post(f"/events/{foreign.id}/invitations/remind").status_code in (400, 404)
