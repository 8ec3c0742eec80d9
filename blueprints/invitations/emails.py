"""The emails of this feature, built by the outbox workers at send time.

Each is rendered in the recipient's language from templates/invitations/email/, with
the event as it is when the message leaves, an .ics file, a working unsubscribe link
and the List-Unsubscribe headers (RFC 2369 and RFC 8058 one-click).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from blueprints.events.models import Event, EventStatus
from blueprints.invitations import services
from blueprints.invitations.models import EventNotice, Invitation, NoticeKind
from blueprints.rsvp.models import Registration
from core.calendar import event_ics
from core.i18n import localized, text_direction
from core.outbox import (
    BuiltEmail,
    OutboxMessage,
    SkipMessage,
    batch_cache,
    register_builder,
)
from core.urls import external_url
from extensions import db


def _sender(event: Event, locale: str) -> tuple[str, str | None]:
    org = event.organisation
    name = org.sender_name or localized(org, "name", locale)
    return name, org.reply_to


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
    if invitation is None:
        return {}
    return {
        "List-Unsubscribe": f"<{services.unsubscribe_url(invitation.token)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


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


def _invitation_email(message: OutboxMessage, template: str) -> BuiltEmail:
    invitation = db.session.scalar(
        sa.select(Invitation)
        .options(joinedload(Invitation.member))
        .where(Invitation.id == message.payload.get("invitation_id"))
    )
    if invitation is None:
        raise SkipMessage("the invitation no longer exists")
    member, event = invitation.member, _event(invitation.event_id)
    if member.unsubscribed_at is not None:
        raise SkipMessage("the member unsubscribed")
    if event.status != EventStatus.PUBLISHED:
        raise SkipMessage("the event is no longer open")
    if template == "reminder" and services.has_answered(invitation):
        raise SkipMessage("the invitee has answered")
    locale = message.locale
    with force_locale(locale):
        context = _context(
            event,
            locale,
            member=member,
            accept_url=services.rsvp_url(invitation.token, "accept"),
            decline_url=services.rsvp_url(invitation.token, "decline"),
            rsvp_url=services.rsvp_url(invitation.token),
            unsubscribe_url=services.unsubscribe_url(invitation.token),
            reminder=template == "reminder",
        )
        if template == "reminder":
            subject = _("Reminder: %(title)s", title=context["title"])
        else:
            subject = _("Invitation: %(title)s", title=context["title"])
        text = render_template("invitations/email/invitation.txt", **context)
        html = render_template("invitations/email/invitation.html", **context)
    sender_name, reply_to = _sender(event, locale)
    ics = event_ics(event, locale, context["rsvp_url"], uid_suffix=f"-i{invitation.id}")
    return BuiltEmail(
        subject=subject,
        text=text,
        html=html,
        reply_to=reply_to,
        sender_name=sender_name,
        headers=_list_headers(invitation),
        attachments=[("invitation.ics", "text/calendar", ics, None)],
    )


@register_builder("invitation")
def build_invitation(message: OutboxMessage) -> BuiltEmail:
    return _invitation_email(message, "invitation")


@register_builder("reminder")
def build_reminder(message: OutboxMessage) -> BuiltEmail:
    return _invitation_email(message, "reminder")


@register_builder("event_notice")
def build_event_notice(message: OutboxMessage) -> BuiltEmail:
    notice = db.session.get(EventNotice, message.payload.get("notice_id"))
    if notice is None:
        raise SkipMessage("the notice no longer exists")
    event = _event(notice.event_id)
    invitation = db.session.get(Invitation, message.payload.get("invitation_id") or 0)
    registration = db.session.get(Registration, message.payload.get("registration_id") or 0)
    if invitation is not None and invitation.member.unsubscribed_at and registration is None:
        raise SkipMessage("the member unsubscribed")
    locale = message.locale
    cancelled = notice.kind == NoticeKind.CANCELLED
    link = services.rsvp_url(invitation.token) if invitation else None
    if link is None and registration is not None and registration.ticket_code:
        link = external_url(f"/t/{registration.ticket_code}")
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
        text = render_template("invitations/email/notice.txt", **context)
        html = render_template("invitations/email/notice.html", **context)
    sender_name, reply_to = _sender(event, locale)
    suffix = f"-i{invitation.id}" if invitation else f"-r{registration.id if registration else 0}"
    ics = event_ics(event, locale, link or "", uid_suffix=suffix, cancelled=cancelled)
    return BuiltEmail(
        subject=subject,
        text=text,
        html=html,
        reply_to=reply_to,
        sender_name=sender_name,
        headers=_list_headers(invitation),
        attachments=[("event.ics", "text/calendar", ics, None)],
    )
