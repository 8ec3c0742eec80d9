"""The emails of this feature, built by the outbox workers at send time.

Each is rendered in the recipient's language from templates/invitations/email/, with
the event as it is when the message leaves, an .ics file, a working unsubscribe link
and the List-Unsubscribe headers (RFC 2369 and RFC 8058 one-click).
"""

from __future__ import annotations

import re
import secrets

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar.parser import Contentline
from markupsafe import escape
from sqlalchemy.orm import joinedload

from blueprints.events.models import Event, EventStatus
from blueprints.invitations import notices, reminders, services
from blueprints.invitations.models import EventNotice, Invitation, NoticeKind
from blueprints.members.models import Member
from core.calendar import event_ics
from core.email_preview import Sample
from core.emails import from_organisation, render_pair
from core.i18n import localized, text_direction
from core.outbox import BuiltEmail, OutboxMessage, SkipMessage
from core.outbox_delivery import batch_cache
from core.text import without_bidi_state
from extensions import db


def _context(event: Event, locale: str, **extra) -> dict:
    return {
        "event": event,
        "org": event.organisation,
        "locale": locale,
        "dir": text_direction(locale),
        "title": localized(event, "title", locale),
        "description": localized(event, "description", locale),
        "cohosts": [localized(p, "name", locale) for p in event.cohosts],
        **extra,
    }


def _list_headers(invitation: Invitation | None) -> dict[str, str]:
    return services.list_unsubscribe_headers(invitation)


def _event(event_id: int) -> Event:
    """The event with what every email shows, loaded once per delivery round."""
    cache = batch_cache()
    key = ("event", event_id)
    if key not in cache:
        event = db.session.get(Event, event_id)
        if event is not None:
            _ = (event.organisation, list(event.cohosts), list(event.programme))
        cache[key] = event
    return cache[key]


# What differs between two recipients of the same invitation is only their name, their
# token (in every link) and the member id (in the .ics UID). The email is rendered
# once per event, language and kind in a delivery round with these markers in their
# place, then each recipient's values are put in (HTML-escaped in the HTML part).
# The markers are random letters and digits: no escaping or line folding changes them.
_MARK = secrets.token_hex(6)
_NAME, _TOKEN, _ID = f"qn{_MARK}x", f"qt{_MARK}x", f"qi{_MARK}x"
_MARKERS = re.compile(f"({_NAME}|{_TOKEN}|{_ID})")


def _invitation(invitation_id) -> Invitation | None:
    """The invitation with its member; those of the whole round are read in one query."""
    cache = batch_cache()
    if "invitations" not in cache:
        ids = {
            m.payload.get("invitation_id")
            for m in cache.get("messages", ())
            if m.kind in ("invitation", "reminder")
        }
        ids.discard(None)
        cache["invitations"] = {
            i.id: i
            for i in db.session.scalars(
                sa.select(Invitation)
                .options(joinedload(Invitation.member))
                .where(Invitation.id.in_(ids))
            )
        }
    found = cache["invitations"].get(invitation_id)
    if found is None:
        found = db.session.scalar(
            sa.select(Invitation)
            .options(joinedload(Invitation.member))
            .where(Invitation.id == invitation_id)
        )
    return found


def render_invitation(
    event: Event, locale: str, template: str, name: str, token: str, member_id
) -> tuple[str, str, str, bytes]:
    """(subject, text, html, ics) of an invitation or reminder, rendered in full."""
    with force_locale(locale):
        context = _context(
            event,
            locale,
            member={"full_name": name},
            accept_url=services.rsvp_url(token, "accept"),
            decline_url=services.rsvp_url(token, "decline"),
            rsvp_url=services.rsvp_url(token),
            unsubscribe_url=services.unsubscribe_url(token),
            reminder=template == "reminder",
        )
        if template == "reminder":
            subject = _("Reminder: %(title)s", title=context["title"])
        else:
            subject = _("Invitation: %(title)s", title=context["title"])
    text, html = render_pair("invitations/email/invitation", locale, **context)
    ics = event_ics(event, locale, context["rsvp_url"], person=f"m{member_id}")
    return subject, text, html, ics


def _split(rendered: str) -> list[str]:
    return _MARKERS.split(rendered)


def _ics_lines(ics: bytes) -> list[str]:
    return ics.decode("utf-8").replace("\r\n ", "").split("\r\n")


def _fold(line: str) -> str:
    """RFC 5545 line folding, by the icalendar library (75 octets, never inside a character)."""
    return Contentline(line).to_ical().decode("utf-8")


def _fill(parts: list[str], values: dict[str, str]) -> str:
    return "".join(values.get(p, p) if i % 2 else p for i, p in enumerate(parts))


def invitation_content(
    event: Event, locale: str, template: str, name: str, token: str, member_id
) -> tuple[str, str, str, bytes]:
    """The same as `render_invitation`, from the round's rendering with markers."""
    cache = batch_cache()
    key = ("invitation-skeleton", event.id, locale, template)
    if key not in cache:
        subject, text, html, ics = render_invitation(event, locale, template, _NAME, _TOKEN, _ID)
        lines = [_split(x) for x in _ics_lines(ics)]
        lines = [parts if len(parts) > 1 else [_fold(parts[0])] for parts in lines]
        cache[key] = (subject, _split(text), _split(html), lines)
    subject, text, html, ics = cache[key]
    raw = {_NAME: without_bidi_state(name), _TOKEN: token, _ID: str(member_id)}
    escaped = {k: str(escape(v)) for k, v in raw.items()}
    ics_text = "\r\n".join(_fold(_fill(line, raw)) if len(line) > 1 else line[0] for line in ics)
    return subject, _fill(text, raw), _fill(html, escaped), ics_text.encode("utf-8")


def _invitation_email(message: OutboxMessage, template: str) -> BuiltEmail:
    invitation = _invitation(message.payload.get("invitation_id"))
    if invitation is None:
        raise SkipMessage("the invitation no longer exists")
    member, event = invitation.member, _event(invitation.event_id)
    if member.unsubscribed_at is not None:
        raise SkipMessage("the member unsubscribed")
    if event.status != EventStatus.PUBLISHED:
        raise SkipMessage("the event is no longer open")
    if template == "reminder" and reminders.has_answered(invitation):
        raise SkipMessage("the invitee has answered")
    return invitation_email(
        event,
        message.locale,
        template,
        member.full_name,
        invitation.token,
        invitation.member_id,
        invitation,
    )


def invitation_email(
    event: Event,
    locale: str,
    template: str,
    name: str,
    token: str,
    member_id,
    invitation: Invitation | None = None,
) -> BuiltEmail:
    """An invitation or reminder as it leaves: the builders' and the previews' one way."""
    subject, text, html, ics = invitation_content(event, locale, template, name, token, member_id)
    return from_organisation(
        event.organisation,
        locale,
        subject=subject,
        text=text,
        html=html,
        headers=_list_headers(invitation),
        attachments=[("invitation.ics", "text/calendar", ics, None)],
    )


PREVIEW_TOKEN = "preview"  # noqa: S105 - not a secret: the links of a preview lead nowhere


def build_invitation(message: OutboxMessage) -> BuiltEmail:
    return _invitation_email(message, "invitation")


def build_reminder(message: OutboxMessage) -> BuiltEmail:
    return _invitation_email(message, "reminder")


def build_event_notice(message: OutboxMessage) -> BuiltEmail:
    notice = db.session.get(EventNotice, message.payload.get("notice_id"))
    if notice is None:
        raise SkipMessage("the notice no longer exists")
    event = _event(notice.event_id)
    invitation = db.session.get(Invitation, message.payload.get("invitation_id") or 0)
    registration_id = message.payload.get("registration_id")
    if invitation is not None and invitation.member.unsubscribed_at and not registration_id:
        raise SkipMessage("the member unsubscribed")
    locale = message.locale
    cancelled = notice.kind == NoticeKind.CANCELLED
    link = services.rsvp_url(invitation.token) if invitation else None
    if link is None:
        link = notices.attendee_link(registration_id)
    with force_locale(locale):
        context = _context(
            event,
            locale,
            name=message.to_name,
            cancelled=cancelled,
            changes=notice.change_set,
            link=link,
            unsubscribe_url=services.unsubscribe_url(invitation.token) if invitation else None,
        )
        if cancelled:
            subject = _("Cancelled: %(title)s", title=context["title"])
        else:
            subject = _("Change: %(title)s", title=context["title"])
    text, html = render_pair("invitations/email/notice", locale, **context)
    ics = event_ics(event, locale, link or "", _calendar_person(message, invitation), cancelled)
    return from_organisation(
        event.organisation,
        locale,
        subject=subject,
        text=text,
        html=html,
        headers=_list_headers(invitation),
        attachments=[("event.ics", "text/calendar", ics, None)],
    )


def _calendar_person(message: OutboxMessage, invitation: Invitation | None) -> str:
    """The person the notice's .ics entry belongs to (see core.calendar.calendar_uid)."""
    member_id = invitation.member_id if invitation else message.payload.get("member_id")
    if member_id:
        return f"m{member_id}"
    return f"r{message.payload.get('registration_id') or 0}"


# Wired by the feature's init_app: the outbox asks for a builder by the message's kind.
BUILDERS = {
    "invitation": build_invitation,
    "reminder": build_reminder,
    "event_notice": build_event_notice,
}


# --------------------------------------------------------------------------- previews


def _sample_invitation(template: str):
    def sample_email(sample: Sample) -> BuiltEmail:
        """Built straight from the event (no rows), so a draft can be previewed too."""
        return invitation_email(
            sample.event, sample.locale, template, sample.name, PREVIEW_TOKEN, 0
        )

    return sample_email


def _sample_notice(sample: Sample) -> dict:
    """An invited member and a notice that the time and the place changed."""
    member = Member(organisation_id=sample.organisation_id, full_name=sample.name,
                    locale=sample.locale)  # fmt: skip
    db.session.add(member)
    db.session.flush()
    invitation = Invitation(
        organisation_id=sample.organisation_id, event_id=sample.event.id, member_id=member.id
    )
    notice = EventNotice(organisation_id=sample.organisation_id, event_id=sample.event.id,
                         kind=NoticeKind.CHANGED, changes="time,venue")  # fmt: skip
    db.session.add_all([invitation, notice])
    db.session.flush()
    return {"notice_id": notice.id, "invitation_id": invitation.id}


# Wired by the feature's init_app: what each kind's preview is built from.
SAMPLES = {
    "invitation": _sample_invitation("invitation"),
    "reminder": _sample_invitation("reminder"),
    "event_notice": _sample_notice,
}
