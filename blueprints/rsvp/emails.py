"""The RSVP emails, built when they leave (so they show the event as it is then)."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from blueprints.invitations import services as invitations
from blueprints.rsvp import tickets
from blueprints.rsvp.models import Registration, RegistrationConfirmation
from core.calendar import event_ics
from core.emails import from_organisation, render_pair
from core.i18n import localized
from core.outbox import BuiltEmail, OutboxMessage
from core.qr import qr_png
from core.urls import external_url
from extensions import db

QR_CID = "ticket-qr@liqaa"


def _registration(message: OutboxMessage) -> Registration:
    registration = db.session.get(Registration, message.payload["registration_id"])
    if registration is None:
        raise LookupError("the registration of this email is gone")
    return registration


def _render(name: str, locale: str, **context) -> tuple[str, str]:
    return render_pair(f"rsvp/email/{name}", locale, **context)


def _envelope(registration: Registration, subject: str, text: str, html: str, **extra):
    organisation = registration.event.organisation
    headers = invitations.list_unsubscribe_headers(registration.invitation)
    return from_organisation(
        organisation,
        registration.locale,
        subject=subject,
        text=text,
        html=html,
        headers=headers,
        **extra,
    )


def ticket_url(registration: Registration) -> str:
    return tickets.ticket_url(registration.ticket_code)


def build_ticket(message: OutboxMessage) -> BuiltEmail:
    registration = _registration(message)
    if not registration.ticket_code_hash:
        raise LookupError("this ticket was revoked before the email left")
    event = registration.event
    locale = message.locale
    url = ticket_url(registration)
    with force_locale(locale):
        png = qr_png(url)
        ics = event_ics(event, locale, url, tickets.calendar_person(registration))
        text, html = _render(
            "ticket",
            locale,
            registration=registration,
            event=event,
            url=url,
            cid=QR_CID,
            reason=message.payload.get("reason", "accepted"),
            unsubscribe_url=_unsubscribe_url(registration),
        )
        subject = _("Your ticket: %(title)s", title=localized(event, "title", locale))
    return _envelope(
        registration,
        subject,
        text,
        html,
        attachments=[
            ("ticket-qr.png", "image/png", png, QR_CID),
            ("ticket-qr.png", "image/png", png, None),
            ("event.ics", "text/calendar", ics, None),
        ],
    )


def build_waitlisted(message: OutboxMessage) -> BuiltEmail:
    from blueprints.rsvp.seats import waitlist_position

    registration = _registration(message)
    event = registration.event
    locale = message.locale
    with force_locale(locale):
        text, html = _render(
            "waitlisted",
            locale,
            registration=registration,
            event=event,
            position=waitlist_position(registration),
            url=_manage_url(registration),
        )
        subject = _("Waiting list: %(title)s", title=localized(event, "title", locale))
    return _envelope(registration, subject, text, html)


def build_confirm(message: OutboxMessage) -> BuiltEmail:
    registration = _registration(message)
    confirmation = db.session.get(RegistrationConfirmation, message.payload["confirmation_id"])
    if confirmation is None:
        raise LookupError("the confirmation of this email is gone")
    event = registration.event
    locale = message.locale
    with force_locale(locale):
        text, html = _render(
            "confirm",
            locale,
            registration=registration,
            event=event,
            url=external_url(f"/confirm/{confirmation.token}"),
            expires_at=confirmation.expires_at,
        )
        subject = _("Confirm your registration: %(title)s", title=localized(event, "title", locale))
    return _envelope(registration, subject, text, html)


def build_rejected(message: OutboxMessage) -> BuiltEmail:
    registration = _registration(message)
    event = registration.event
    locale = message.locale
    with force_locale(locale):
        text, html = _render("rejected", locale, registration=registration, event=event)
        subject = _("Your registration: %(title)s", title=localized(event, "title", locale))
    return _envelope(registration, subject, text, html)


def _unsubscribe_url(registration: Registration) -> str:
    if registration.invitation is not None:
        return invitations.unsubscribe_url(registration.invitation.token)
    return ""


def _manage_url(registration: Registration) -> str:
    if registration.invitation is not None:
        return external_url(f"/r/{registration.invitation.token}")
    return ""


# Wired by the feature's init_app: the outbox asks for a builder by the message's kind.
BUILDERS = {
    "rsvp_ticket": build_ticket,
    "rsvp_waitlisted": build_waitlisted,
    "rsvp_confirm": build_confirm,
    "rsvp_rejected": build_rejected,
}
