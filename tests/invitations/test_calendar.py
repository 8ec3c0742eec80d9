"""One calendar entry per person and event: the invitation's, the ticket's and the change
notices' .ics files are loaded in order into a small calendar, as a calendar app would."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from icalendar import Calendar

from blueprints.events import services as events
from blueprints.events.models import Event
from blueprints.invitations import notices
from blueprints.invitations.models import EventNotice, Invitation
from blueprints.rsvp import answers, tickets
from blueprints.rsvp.models import Registration, RegistrationStatus
from core.calendar import calendar_uid
from core.i18n import to_local
from core.outbox_delivery import deliver_due
from extensions import db
from tests.invitations.conftest import invite

INVITEE = "jean@example.ma"


class PersonalCalendar:
    """What a calendar app keeps: one entry per UID; a file replaces an entry only when its
    SEQUENCE is at least the entry's; METHOD:CANCEL (or STATUS:CANCELLED) removes it."""

    def __init__(self):
        self.entries: dict[str, dict] = {}
        self.seen: dict[str, int] = {}

    def load(self, ics: bytes | str) -> None:
        calendar = Calendar.from_ical(ics)
        method = str(calendar.get("method", "PUBLISH")).upper()
        for vevent in calendar.walk("VEVENT"):
            uid, sequence = str(vevent["uid"]), int(vevent.get("sequence", 0))
            if sequence < self.seen.get(uid, -1):
                continue  # an older file opened late changes nothing
            self.seen[uid] = sequence
            if method == "CANCEL" or str(vevent.get("status", "")).upper() == "CANCELLED":
                self.entries.pop(uid, None)
            else:
                self.entries[uid] = {
                    "start": vevent.decoded("dtstart"),
                    "organizer": vevent["organizer"],
                }

    def starts(self) -> list:
        return [entry["start"] for entry in self.entries.values()]


def _ics_of(smtp_server, count: int) -> list[bytes]:
    """The .ics attachments the invitee received, in the order they arrived."""
    files = []
    for _, rcpt, parsed in smtp_server.wait_for(count):
        if rcpt == [INVITEE]:
            files += [
                p.get_content()
                for p in parsed.iter_attachments()
                if p.get_content_type() == "text/calendar"
            ]
    smtp_server.messages.clear()
    return files


def _move(event: Event, delta: timedelta) -> None:
    data = events.EventData(
        title_ar=event.title_ar,
        title_fr=event.title_fr,
        venue_name=event.venue_name,
        venue_address=event.venue_address,
        starts_at=to_local(event.starts_at + delta).replace(tzinfo=None),
        ends_at=to_local(event.ends_at + delta).replace(tzinfo=None),
        capacity=event.capacity,
        max_companions=event.max_companions,
    )
    events.update_event(event, data)
    db.session.commit()


def _send_pending_notice(event: Event) -> None:
    (notice,) = db.session.scalars(
        sa.select(EventNotice).where(
            EventNotice.event_id == event.id, EventNotice.confirmed_at.is_(None)
        )
    )
    notices.confirm_notice(notice, None)
    db.session.commit()


def test_invitation_ticket_change_and_cancellation_keep_one_entry_per_person(
    client, event, invitees, smtp_server
):
    calendar = PersonalCalendar()
    original_start = event.starts_at
    invite(event, everyone=True)
    assert deliver_due() == (3, 0)
    (invitation_ics,) = _ics_of(smtp_server, 3)
    calendar.load(invitation_ics)
    assert calendar.starts() == [original_start]

    jean = invitees[1]
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.member_id == jean.id))
    answers.respond(invitation, answers.RsvpData(accept=True, locale="fr", consent=True))
    db.session.commit()
    assert deliver_due() == (1, 0)
    (ticket_ics,) = _ics_of(smtp_server, 1)
    calendar.load(ticket_ics)
    assert calendar.starts() == [original_start], "the ticket adds no second entry"
    (entry,) = calendar.entries.values()
    assert entry["organizer"] == "mailto:" + client.application.config["MAIL_DEFAULT_SENDER"]
    assert entry["organizer"].params["CN"] == "Association test"

    _move(event, timedelta(days=1))
    _send_pending_notice(event)
    assert deliver_due()[0] >= 1
    (notice_ics,) = _ics_of(smtp_server, 3)
    calendar.load(notice_ics)
    assert calendar.starts() == [original_start + timedelta(days=1)], "the update moved it"
    calendar.load(invitation_ics)  # the old invitation opened again changes nothing
    assert calendar.starts() == [original_start + timedelta(days=1)]

    events.cancel(event)
    db.session.commit()
    _send_pending_notice(event)
    assert deliver_due()[0] >= 1
    (cancel_ics,) = _ics_of(smtp_server, 3)
    assert "METHOD:CANCEL" in cancel_ics
    calendar.load(cancel_ics)
    assert calendar.entries == {}, "the cancellation removed the one entry"

    registration = db.session.scalar(sa.select(Registration))
    page_ics = client.get(f"/t/{registration.ticket_code}/event.ics").data
    assert b"METHOD:CANCEL" in page_ics
    calendar.load(page_ics)
    calendar.load(ticket_ics)  # the ticket email opened after the cancellation
    assert calendar.entries == {}


def test_a_registration_without_a_member_has_its_own_entry(client, event):
    registration = Registration(
        organisation_id=event.organisation_id,
        event_id=event.id,
        full_name="Walk In",
        email="walkin@example.ma",
        locale="ar",
        status=RegistrationStatus.ACCEPTED,
        ticket_code="walkin-code-123",
    )
    db.session.add(registration)
    db.session.commit()
    assert tickets.calendar_person(registration) == f"r{registration.id}"
    uid = calendar_uid(event, tickets.calendar_person(registration))
    assert uid == f"event-{event.public_id}-r{registration.id}@liqaa.test"
    page = Calendar.from_ical(client.get("/t/walkin-code-123/event.ics").data)
    (vevent,) = page.walk("VEVENT")
    assert vevent["uid"] == uid and page["method"] == "REQUEST"
