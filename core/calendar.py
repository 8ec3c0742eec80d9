"""iCalendar (.ics) files for invitations, tickets and change notices.

A person has one entry per event in their calendar, whichever email or page the file came
from: every file about that person and event carries the same UID (`calendar_uid`), and
the event's `calendar_sequence` (raised by each change of time or place and by a
cancellation) as SEQUENCE. A calendar replaces an entry only by a file with a SEQUENCE at
least as high, so a changed time moves the entry (METHOD:REQUEST) and a cancellation
(METHOD:CANCEL) removes it, and an older file opened later changes nothing.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as IcsEvent

from core.db import utcnow
from core.i18n import join_parts, localized


def calendar_uid(event, person: str) -> str:
    """The UID of `person`'s entry for `event`: "m12" for a member, "r34" for a
    registration without one. The domain is BASE_URL's, the same on every server."""
    domain = urlsplit(current_app.config["BASE_URL"]).hostname or "liqaa"
    return f"event-{event.public_id}-{person}@{domain}"


def organizer(organisation, locale: str) -> vCalAddress:
    """The organisation in the recipient's language, at the address the emails come from."""
    address = vCalAddress(f"mailto:{current_app.config['MAIL_DEFAULT_SENDER']}")
    address.params["cn"] = vText(localized(organisation, "name", locale))
    return address


def event_ics(event, locale: str, url: str, person: str, cancelled: bool = False) -> bytes:
    """One VEVENT for `event` in `locale`, times in UTC, with a link back to Liqaa, as
    `person`'s entry (see `calendar_uid`)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Liqaa//liqaa//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    entry = IcsEvent()
    entry.add("uid", calendar_uid(event, person))
    entry.add("sequence", event.calendar_sequence or 0)
    entry.add("dtstamp", utcnow())
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", localized(event, "title", locale))
    entry.add("organizer", organizer(event.organisation, locale))
    location = join_parts((event.venue(locale), event.venue_address), locale)
    if location:
        entry.add("location", location)
    description = localized(event, "description", locale)
    entry.add("description", f"{description}\n\n{url}".strip())
    entry.add("url", url)
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(entry)
    return calendar.to_ical()
