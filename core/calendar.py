"""iCalendar (.ics) files for invitations and tickets."""

from __future__ import annotations

from icalendar import Calendar
from icalendar import Event as IcsEvent

from core.db import utcnow
from core.i18n import localized


def event_ics(event, locale: str, url: str, uid_suffix: str = "", cancelled: bool = False) -> bytes:
    """One VEVENT for `event` in `locale`, times in UTC, with a link back to Liqaa.

    `uid_suffix` keeps the UID stable per recipient, so that calendar apps update the
    entry when the event moves instead of adding a second one.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//Liqaa//liqaa//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    entry = IcsEvent()
    entry.add("uid", f"event-{event.public_id}{uid_suffix}@liqaa")
    entry.add("dtstamp", utcnow())
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", localized(event, "title", locale))
    location = ", ".join(p for p in (event.venue_name, event.venue_address) if p)
    if location:
        entry.add("location", location)
    description = localized(event, "description", locale)
    entry.add("description", f"{description}\n\n{url}".strip())
    entry.add("url", url)
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(entry)
    return calendar.to_ical()
