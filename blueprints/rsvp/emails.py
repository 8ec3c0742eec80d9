"""The RSVP emails, built when they leave (so they show the event as it is then)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask_babel import force_locale
from flask_babel import gettext as _

from blueprints.invitations import services as invitations
from blueprints.invitations.models import Invitation
from blueprints.members.models import Member
from blueprints.rsvp import tickets
from blueprints.rsvp.models import Registration, RegistrationConfirmation, RegistrationStatus
from core.calendar import event_ics
from core.db import utcnow
from core.email_preview import Sample
from core.emails import from_organisation, render_pair
from core.i18n import localized
from core.outbox import BuiltEmail, OutboxMessage
from core.qr import qr_png
from core.tokens import new_token
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


# --------------------------------------------------------------------------- previews


def sample_registration(sample: Sample) -> Registration:
    """An invited person with an accepted registration and a ticket, for a preview only
    (core.email_preview rolls it back): the rows every attendee's email reads."""
    member = Member(
        organisation_id=sample.organisation_id,
        full_name=sample.name,
        locale=sample.locale,
        consent_at=utcnow(),
    )
    db.session.add(member)
    db.session.flush()
    invitation = Invitation(
        organisation_id=sample.organisation_id, event_id=sample.event.id, member_id=member.id
    )
    db.session.add(invitation)
    db.session.flush()
    registration = Registration(
        organisation_id=sample.organisation_id,
        event_id=sample.event.id,
        invitation_id=invitation.id,
        member_id=member.id,
        status=RegistrationStatus.ACCEPTED,
        full_name=sample.name,
        email=sample.email,
        locale=sample.locale,
        consent_at=utcnow(),
        ticket_code=new_token(),
        ticket_issued_at=utcnow(),
    )
    db.session.add(registration)
    db.session.flush()
    return registration


def _sample_confirm(sample: Sample) -> dict:
    registration = sample_registration(sample)
    confirmation = RegistrationConfirmation(
        organisation_id=sample.organisation_id,
        registration_id=registration.id,
        expires_at=utcnow() + timedelta(days=1),
    )
    db.session.add(confirmation)
    db.session.flush()
    return {"registration_id": registration.id, "confirmation_id": confirmation.id}


def _on_registration(**extra) -> Callable[[Sample], dict]:
    def sample_payload(sample: Sample) -> dict:
        return {"registration_id": sample_registration(sample).id, **extra}

    return sample_payload


# Wired by the feature's init_app: what each kind's preview is built from.
SAMPLES = {
    "rsvp_ticket": _on_registration(reason="accepted"),
    "rsvp_waitlisted": _on_registration(),
    "rsvp_confirm": _sample_confirm,
    "rsvp_rejected": _on_registration(),
}
