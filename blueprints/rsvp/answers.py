"""Answers: an invitee's RSVP, an open-form registration and its confirmation, a cancel.

Plain values in, domain errors out; the caller commits. Places are taken and freed only
through `seats`, under its event lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy.orm import joinedload

from blueprints.events.models import Event
from blueprints.invitations.models import Invitation
from blueprints.rsvp import seats
from blueprints.rsvp.errors import LinkExpired, RsvpClosed, RsvpError
from blueprints.rsvp.models import (
    Answer,
    Companion,
    Question,
    Registration,
    RegistrationConfirmation,
    RegistrationSource,
    RegistrationStatus,
    RevokedTicket,
)
from blueprints.rsvp.questionnaire import display_value, questions_for, settings_for
from core.db import utcnow
from core.i18n import localized
from core.signals import concern_raised
from core.tokens import find_by_token, new_token, token_digest
from extensions import db

CONFIRMATION_VALIDITY = timedelta(hours=48)


@dataclass
class RsvpData:
    """What an invitee (or an open-form visitor) sent: already validated and normalised."""

    accept: bool
    locale: str
    companion_names: list[str] = field(default_factory=list)
    consent: bool = False
    decline_reason: str = ""
    answers: dict[int, str] = field(default_factory=dict)  # question id -> stored value
    # The event's questions the form was built from (None: read them again when saving).
    questions: list[Question] | None = None


@dataclass
class Visitor:
    """Who registers through the open form."""

    full_name: str
    email: str
    phone: str | None = None
    company: str = ""
    trade: str = ""


def registration_for_invitation(invitation: Invitation) -> Registration | None:
    return db.session.scalar(
        sa.select(Registration).where(Registration.invitation_id == invitation.id)
    )


def registration_by_code(code: str) -> Registration | None:
    return find_by_token(Registration, code, "ticket_code")


def is_revoked_code(code: str) -> bool:
    return revoked_code_holder(code) is not None


def revoked_code_holder(code: str) -> Registration | None:
    """The registration whose ticket this revoked code was; None if it is not one."""
    digest = token_digest(code)
    if digest is None:
        return None
    return db.session.scalar(
        sa.select(Registration)
        .join(RevokedTicket, RevokedTicket.registration_id == Registration.id)
        .where(RevokedTicket.code_hash == digest)
    )


def confirmation_by_token(token: str) -> RegistrationConfirmation | None:
    """With its registration and event, which the confirmation page reads (one statement)."""
    options = (joinedload(RegistrationConfirmation.registration).joinedload(Registration.event),)
    return find_by_token(RegistrationConfirmation, token, options=options)


def reread(registration: Registration) -> None:
    """Its columns as they are now (call under the event lock): the status and ticket
    another answer may just have changed. Its companions and answers are its own."""
    db.session.refresh(registration, [a.key for a in sa.inspect(Registration).column_attrs])


def respond(invitation: Invitation, data: RsvpData, now: datetime | None = None) -> Registration:
    """An invitee's answer (first or changed): accept, waiting list, or decline."""
    now = now or utcnow()
    event = invitation.event
    seats.lock_event(event)
    if not event.rsvp_open(now):
        raise RsvpClosed(_l("Answers for this event are closed."))
    registration = registration_for_invitation(invitation)
    if registration is None:
        member = invitation.member
        registration = Registration(
            organisation_id=invitation.organisation_id,
            event_id=event.id,
            invitation_id=invitation.id,
            member_id=member.id,
            source=RegistrationSource.INVITATION,
            status=RegistrationStatus.DECLINED,
            full_name=member.full_name,
            email=member.email,
            phone=member.phone,
            company=member.company or "",
            trade=member.trade or "",
            category=member.category,
        )
        db.session.add(registration)
    registration.locale = data.locale
    previous = registration.status if registration.id else None
    if data.accept:
        _take_answer(registration, event, data, previous, now)
    else:
        registration.status = RegistrationStatus.DECLINED
        registration.decline_reason = data.decline_reason.strip()[:2000]
        registration.waitlisted_at = None
        _set_companions(registration, [])
        seats.drop_ticket(registration, now)
    invitation.responded_at = now
    db.session.flush()
    # Someone who held a place (or waits) may have freed seats: fill them. A first "yes"
    # was placed by `seats.place`, which let those already waiting in first.
    if previous in (RegistrationStatus.ACCEPTED, RegistrationStatus.WAITLISTED):
        seats.promote_waitlist(event, now)
    return registration


def _take_answer(registration, event, data: RsvpData, previous, now) -> None:
    if not data.consent:
        raise RsvpError(_l("Please tick the consent box to accept."))
    names = [n.strip()[:200] for n in data.companion_names if n and n.strip()]
    if len(names) > event.max_companions:
        raise RsvpError(
            lazy_ngettext(
                "You can bring at most %(num)s companion.",
                "You can bring at most %(num)s companions.",
                event.max_companions,
            )
        )
    registration.decline_reason = ""
    registration.consent_at = registration.consent_at or now
    if previous == RegistrationStatus.ACCEPTED:
        free = seats.free_seats(event, excluding=registration.id)
        if 1 + len(names) > free:
            raise RsvpError(
                _l(
                    "There is not enough room for that many companions. Places left: %(count)s.",
                    count=max(free - 1, 0),
                )
            )
        _set_companions(registration, names)
    elif previous == RegistrationStatus.WAITLISTED:
        _set_companions(registration, names)
    else:
        _set_companions(registration, names)
        # Placed before it is written: the count does not include it (it holds no place
        # yet) and a new registration is then one INSERT with its status and ticket.
        with db.session.no_autoflush:
            seats.place(registration, event, now)
    db.session.flush()
    save_answers(registration, event, data.answers, send_concerns=True, questions=data.questions)


def _set_companions(registration: Registration, names: list[str]) -> None:
    current = [c.full_name for c in registration.companion_list]
    if current != names:
        registration.companion_list = [Companion(full_name=name) for name in names]
    registration.companions = len(names)


def save_answers(
    registration: Registration,
    event: Event,
    values: dict[int, str],
    send_concerns: bool,
    questions: list[Question] | None = None,
) -> list[Answer]:
    """Write the answers; report each changed answer to a concern question (follow-ups).
    `questions`: the event's questions when the caller has them already."""
    if questions is None:
        questions = questions_for(event.id)
    questions = {q.id: q for q in questions}
    if not questions:  # no question, so no answer to keep (they go with their question)
        return []
    existing = {a.question_id: a for a in registration.answers}
    changed_concerns = []
    for question_id, question in questions.items():
        value = (values.get(question_id) or "").strip()[:10000]
        answer = existing.get(question_id)
        old = answer.value if answer else ""
        if not value:
            if answer is not None:
                registration.answers.remove(answer)
            continue
        if answer is None:
            answer = Answer(
                organisation_id=registration.organisation_id,
                question_id=question_id,
                value=value,
            )
            answer.question = question
            registration.answers.append(answer)
        else:
            answer.value = value
        if question.is_concern and value != old:
            changed_concerns.append(answer)
    db.session.flush()
    if send_concerns:
        for answer in changed_concerns:
            _raise_concern(registration, answer)
    return changed_concerns


def _raise_concern(registration: Registration, answer: Answer) -> None:
    question = answer.question
    concern_raised.send(
        None,
        organisation_id=registration.organisation_id,
        event_id=registration.event_id,
        text=display_value(question, answer.value, registration.locale),
        source="rsvp",
        registration_id=registration.id,
        question=localized(question, "label", registration.locale),
    )


def cancel_place(registration: Registration, now: datetime | None = None) -> None:
    """'I can no longer come' from the ticket page: frees the place, promotes the list."""
    now = now or utcnow()
    event = registration.event
    seats.lock_event(event)
    db.session.refresh(registration)
    if registration.checked_in_at is not None:
        raise RsvpError(_l("This ticket was already used at the door."))
    if registration.status not in (RegistrationStatus.ACCEPTED, RegistrationStatus.WAITLISTED):
        raise RsvpError(_l("This registration is not active."))
    if now >= event.ends_at:
        raise RsvpError(_l("This event is over."))
    registration.status = RegistrationStatus.CANCELLED
    registration.waitlisted_at = None
    seats.drop_ticket(registration, now)
    if registration.invitation is not None:
        registration.invitation.responded_at = now
    db.session.flush()
    seats.promote_waitlist(event, now)


def open_form_available(event: Event, now: datetime | None = None) -> bool:
    return event.rsvp_open(now) and settings_for(event).open_registration


def register_openly(
    event: Event, visitor: Visitor, data: RsvpData, now: datetime | None = None
) -> Registration:
    """A visitor's registration, held only once they confirm through the emailed link.

    Someone already registered with the same email gets the link again (if unconfirmed)
    and nothing else: the page says the same thing either way, so it reveals nothing.
    """
    now = now or utcnow()
    if not open_form_available(event, now):
        raise RsvpClosed(_l("Registration for this event is closed."))
    if not data.consent:
        raise RsvpError(_l("Please tick the consent box to register."))
    email = visitor.email.strip().lower()
    existing = db.session.scalar(
        sa.select(Registration).where(
            Registration.event_id == event.id,
            sa.func.lower(Registration.email) == email,
            Registration.status.not_in(seats.FINAL_STATUSES),
        )
    )
    if existing is not None:
        if existing.status == RegistrationStatus.PENDING_CONFIRMATION:
            _send_confirmation(existing, now)
        return existing
    names = [n.strip()[:200] for n in data.companion_names if n and n.strip()]
    names = names[: event.max_companions]
    registration = Registration(
        organisation_id=event.organisation_id,
        event_id=event.id,
        source=RegistrationSource.OPEN_FORM,
        status=RegistrationStatus.PENDING_CONFIRMATION,
        full_name=visitor.full_name.strip()[:200],
        email=email,
        phone=visitor.phone,
        company=visitor.company.strip()[:200],
        trade=visitor.trade.strip()[:60],
        locale=data.locale,
        consent_at=now,
    )
    db.session.add(registration)
    _set_companions(registration, names)
    db.session.flush()
    save_answers(registration, event, data.answers, send_concerns=False, questions=data.questions)
    _send_confirmation(registration, now)
    return registration


def _send_confirmation(registration: Registration, now: datetime) -> None:
    confirmation = RegistrationConfirmation(
        organisation_id=registration.organisation_id,
        registration_id=registration.id,
        token=new_token(),
        expires_at=now + CONFIRMATION_VALIDITY,
    )
    db.session.add(confirmation)
    db.session.flush()
    seats.send(
        registration, "rsvp_confirm", str(confirmation.id), {"confirmation_id": confirmation.id}
    )


def confirm(confirmation: RegistrationConfirmation, now: datetime | None = None) -> Registration:
    """The visitor clicked the emailed link: hold the place (or ask the organiser)."""
    now = now or utcnow()
    registration = confirmation.registration
    if confirmation.confirmed_at is not None:
        return registration
    if now >= confirmation.expires_at:
        raise LinkExpired(_l("This link has expired. Please register again."))
    event = registration.event
    seats.lock_event(event)
    reread(registration)
    if registration.status != RegistrationStatus.PENDING_CONFIRMATION:
        confirmation.confirmed_at = now
        return registration
    if not event.rsvp_open(now):
        raise RsvpClosed(_l("Registration for this event is closed."))
    confirmation.confirmed_at = now
    if settings_for(event).requires_approval:
        registration.status = RegistrationStatus.PENDING_APPROVAL
    else:
        seats.place(registration, event, now)
    db.session.flush()
    for answer in registration.answers:
        if answer.question.is_concern:
            _raise_concern(registration, answer)
    return registration
