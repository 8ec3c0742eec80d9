"""RSVP: answers, seats, the waiting list, tickets and open registration.

Plain values in, domain errors out; the caller commits. Every change that takes or frees
a place first locks the event row (see `lock_event`), so that counting the accepted
people and writing the new status happen as one step, whoever else answers at that moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from blueprints.events.models import Event, EventStatus
from blueprints.invitations.models import Invitation
from blueprints.rsvp.models import (
    CHOICE_KINDS,
    Answer,
    Companion,
    Question,
    QuestionKind,
    Registration,
    RegistrationConfirmation,
    RegistrationSource,
    RegistrationStatus,
    RevokedTicket,
    RsvpSettings,
)
from core.db import utcnow
from core.i18n import localized
from core.outbox import OutboxMessage, OutboxState, enqueue
from core.signals import concern_raised
from core.tokens import new_token
from extensions import db

CONFIRMATION_VALIDITY = timedelta(hours=48)
FINAL_STATUSES = (
    RegistrationStatus.DECLINED,
    RegistrationStatus.CANCELLED,
    RegistrationStatus.REJECTED,
)


class RsvpError(Exception):
    """A domain refusal whose message (translated) is shown to the person."""


class RsvpClosed(RsvpError):
    pass


class LinkExpired(RsvpError):
    pass


@dataclass
class RsvpData:
    """What an invitee (or an open-form visitor) sent: already validated and normalised."""

    accept: bool
    locale: str
    companion_names: list[str] = field(default_factory=list)
    consent: bool = False
    decline_reason: str = ""
    answers: dict[int, str] = field(default_factory=dict)  # question id -> stored value


@dataclass
class Visitor:
    """Who registers through the open form."""

    full_name: str
    email: str
    phone: str | None = None
    company: str = ""
    trade: str = ""


# --------------------------------------------------------------------------- reading


def settings_for(event: Event) -> RsvpSettings:
    found = db.session.scalar(sa.select(RsvpSettings).where(RsvpSettings.event_id == event.id))
    return found or RsvpSettings(
        organisation_id=event.organisation_id,
        event_id=event.id,
        open_registration=False,
        requires_approval=False,
    )


def questions_for(event_id: int) -> list[Question]:
    return list(
        db.session.scalars(
            sa.select(Question)
            .where(Question.event_id == event_id)
            .order_by(Question.position, Question.id)
        )
    )


def accepted_seats(event_id: int, excluding: int | None = None) -> int:
    """People holding a place: accepted registrations and their companions."""
    stmt = sa.select(sa.func.coalesce(sa.func.sum(1 + Registration.companions), 0)).where(
        Registration.event_id == event_id, Registration.status == RegistrationStatus.ACCEPTED
    )
    if excluding is not None:
        stmt = stmt.where(Registration.id != excluding)
    return int(db.session.scalar(stmt) or 0)


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        sa.select(sa.func.count(Registration.id)).where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            sa.or_(
                Registration.waitlisted_at < registration.waitlisted_at,
                sa.and_(
                    Registration.waitlisted_at == registration.waitlisted_at,
                    Registration.id < registration.id,
                ),
            ),
        )
    )
    return int(ahead or 0) + 1


def registration_for_invitation(invitation: Invitation) -> Registration | None:
    return db.session.scalar(
        sa.select(Registration).where(Registration.invitation_id == invitation.id)
    )


def invitation_by_token(token: str) -> Invitation | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(sa.select(Invitation).where(Invitation.token == token))


def registration_by_code(code: str) -> Registration | None:
    if not code or len(code) > 64:
        return None
    return db.session.scalar(sa.select(Registration).where(Registration.ticket_code == code))


def is_revoked_code(code: str) -> bool:
    if not code or len(code) > 64:
        return False
    return (
        db.session.scalar(sa.select(RevokedTicket.id).where(RevokedTicket.code == code)) is not None
    )


def confirmation_by_token(token: str) -> RegistrationConfirmation | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(
        sa.select(RegistrationConfirmation).where(RegistrationConfirmation.token == token)
    )


def display_value(question: Question, value: str, locale: str) -> str:
    """An answer as a person reads it: choice line numbers become the choice texts."""
    if not value:
        return ""
    if question.kind in CHOICE_KINDS:
        choices = question.choices(locale)
        texts = []
        for part in value.split(","):
            if part.isdigit() and int(part) < len(choices):
                texts.append(choices[int(part)])
        return ", ".join(texts)
    if question.kind == QuestionKind.YES_NO:
        return str(_l("Yes") if value == "yes" else _l("No"))
    return value


# --------------------------------------------------------------------------- seats


def lock_event(event: Event) -> None:
    """Serialise every place-changing transaction of one event.

    PostgreSQL: SELECT … FOR UPDATE on the event row, held until commit.
    SQLite: a no-op UPDATE of the event row is the transaction's first write, which takes
    the database's write lock (as BEGIN IMMEDIATE would) before anything is counted; the
    other writers wait for it (busy_timeout).
    """
    table = Event.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(table.c.id).where(table.c.id == event.id).with_for_update())
    else:
        db.session.execute(
            sa.update(table)
            .where(table.c.id == event.id)
            .values(capacity=table.c.capacity, updated_at=table.c.updated_at)
        )
    db.session.refresh(event)  # the capacity and status as they are now


def _free_seats(event: Event, excluding: int | None = None) -> int:
    return event.capacity - accepted_seats(event.id, excluding)


def _accept(registration: Registration, reason: str, now: datetime) -> None:
    registration.status = RegistrationStatus.ACCEPTED
    registration.waitlisted_at = None
    if not registration.ticket_code:
        registration.ticket_code = new_token()
        registration.ticket_issued_at = now
        db.session.flush()
        _enqueue_ticket(registration, reason)


def _waitlist(registration: Registration, now: datetime) -> None:
    registration.status = RegistrationStatus.WAITLISTED
    registration.waitlisted_at = registration.waitlisted_at or now
    _drop_ticket(registration, now)
    db.session.flush()
    _enqueue(registration, "rsvp_waitlisted", f"{registration.waitlisted_at.timestamp():.0f}")


def _place(registration: Registration, event: Event, now: datetime) -> None:
    """Accept if the person and companions fit, else the end of the waiting list."""
    if registration.seats <= _free_seats(event, excluding=registration.id):
        _accept(registration, "accepted", now)
    else:
        _waitlist(registration, now)


def _drop_ticket(registration: Registration, now: datetime) -> None:
    if registration.ticket_code:
        db.session.add(
            RevokedTicket(
                organisation_id=registration.organisation_id,
                code=registration.ticket_code,
                registration_id=registration.id,
                revoked_at=now,
            )
        )
        registration.ticket_code = None
        # a ticket email still waiting in the outbox must not leave with a dead code
        db.session.execute(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.registration_id == registration.id,
                OutboxMessage.kind == "rsvp_ticket",
                OutboxMessage.state == OutboxState.QUEUED,
            )
            .values(state=OutboxState.CANCELLED)
        )


def promote_waitlist(event: Event, now: datetime | None = None) -> list[Registration]:
    """Fill freed places from the waiting list, first come first served (call under the lock).

    Someone whose party does not fit keeps their position while smaller parties behind
    them move in; they are first again as soon as enough places free up.
    """
    now = now or utcnow()
    if event.status != EventStatus.PUBLISHED or now >= event.starts_at:
        return []
    free = _free_seats(event)
    promoted = []
    waiting = db.session.scalars(
        sa.select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(Registration.waitlisted_at, Registration.id)
    )
    for registration in waiting:
        if free <= 0:
            break
        if registration.seats <= free:
            _accept(registration, "promoted", now)
            free -= registration.seats
            promoted.append(registration)
    return promoted


# --------------------------------------------------------------------------- answering


def respond(invitation: Invitation, data: RsvpData, now: datetime | None = None) -> Registration:
    """An invitee's answer (first or changed): accept, waiting list, or decline."""
    now = now or utcnow()
    event = invitation.event
    lock_event(event)
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
        _drop_ticket(registration, now)
    invitation.responded_at = now
    db.session.flush()
    if previous == RegistrationStatus.ACCEPTED or data.accept:
        promote_waitlist(event, now)
    return registration


def _take_answer(registration, event, data: RsvpData, previous, now) -> None:
    if not data.consent:
        raise RsvpError(_l("Please tick the consent box to accept."))
    names = [n.strip()[:200] for n in data.companion_names if n and n.strip()]
    if len(names) > event.max_companions:
        raise RsvpError(
            _l("You can bring at most %(count)s companions.", count=event.max_companions)
        )
    registration.decline_reason = ""
    registration.consent_at = registration.consent_at or now
    if previous == RegistrationStatus.ACCEPTED:
        free = _free_seats(event, excluding=registration.id)
        if 1 + len(names) > free:
            raise RsvpError(
                _l(
                    "There is not enough room for that many companions: %(count)s places left.",
                    count=max(free - 1, 0),
                )
            )
        _set_companions(registration, names)
    elif previous == RegistrationStatus.WAITLISTED:
        _set_companions(registration, names)
    else:
        _set_companions(registration, names)
        db.session.flush()
        _place(registration, event, now)
    db.session.flush()
    save_answers(registration, event, data.answers, send_concerns=True)


def _set_companions(registration: Registration, names: list[str]) -> None:
    current = [c.full_name for c in registration.companion_list]
    if current != names:
        registration.companion_list = [Companion(full_name=name) for name in names]
    registration.companions = len(names)


def save_answers(
    registration: Registration, event: Event, values: dict[int, str], send_concerns: bool
) -> list[Answer]:
    """Write the answers; report each changed answer to a concern question (follow-ups)."""
    questions = {q.id: q for q in questions_for(event.id)}
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
    lock_event(event)
    db.session.refresh(registration)
    if registration.checked_in_at is not None:
        raise RsvpError(_l("This ticket was already used at the door."))
    if registration.status not in (RegistrationStatus.ACCEPTED, RegistrationStatus.WAITLISTED):
        raise RsvpError(_l("This registration is not active."))
    if now >= event.ends_at:
        raise RsvpError(_l("This event is over."))
    registration.status = RegistrationStatus.CANCELLED
    registration.waitlisted_at = None
    _drop_ticket(registration, now)
    if registration.invitation is not None:
        registration.invitation.responded_at = now
    db.session.flush()
    promote_waitlist(event, now)


# --------------------------------------------------------------------------- organiser


def promote_by_hand(registration: Registration, now: datetime | None = None) -> None:
    """The organiser moves someone up from the waiting list, out of turn, if they fit."""
    now = now or utcnow()
    lock_event(registration.event)
    db.session.refresh(registration)
    if registration.status != RegistrationStatus.WAITLISTED:
        raise RsvpError(_l("Only someone on the waiting list can be promoted."))
    free = _free_seats(registration.event, excluding=registration.id)
    if registration.seats > free:
        raise RsvpError(
            _l(
                "Not enough room: %(needed)s places needed, %(free)s free. "
                "Raise the capacity first.",
                needed=registration.seats,
                free=max(free, 0),
            )
        )
    _accept(registration, "promoted", now)


def revoke_ticket(registration: Registration, now: datetime | None = None) -> None:
    """The code stops working at once; the place stays held until a reissue or a cancel."""
    if not registration.ticket_code:
        raise RsvpError(_l("This registration has no ticket."))
    _drop_ticket(registration, now or utcnow())
    db.session.flush()


def reissue_ticket(registration: Registration, now: datetime | None = None) -> None:
    """A new code (the old one stops working) and the ticket email again."""
    now = now or utcnow()
    if registration.status != RegistrationStatus.ACCEPTED:
        raise RsvpError(_l("Only an accepted registration has a ticket."))
    _drop_ticket(registration, now)
    registration.ticket_code = new_token()
    registration.ticket_issued_at = now
    db.session.flush()
    _enqueue_ticket(registration, "reissued")


def approve(registration: Registration, now: datetime | None = None) -> None:
    now = now or utcnow()
    lock_event(registration.event)
    db.session.refresh(registration)
    if registration.status != RegistrationStatus.PENDING_APPROVAL:
        raise RsvpError(_l("This registration is not waiting for approval."))
    _place(registration, registration.event, now)


def reject(registration: Registration) -> None:
    if registration.status != RegistrationStatus.PENDING_APPROVAL:
        raise RsvpError(_l("This registration is not waiting for approval."))
    registration.status = RegistrationStatus.REJECTED
    db.session.flush()
    _enqueue(registration, "rsvp_rejected", "1")


# --------------------------------------------------------------------------- open form


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
            Registration.status.not_in(FINAL_STATUSES),
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
    save_answers(registration, event, data.answers, send_concerns=False)
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
    _enqueue(
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
    lock_event(event)
    db.session.refresh(registration)
    if registration.status != RegistrationStatus.PENDING_CONFIRMATION:
        confirmation.confirmed_at = now
        return registration
    if not event.rsvp_open(now):
        raise RsvpClosed(_l("Registration for this event is closed."))
    confirmation.confirmed_at = now
    if settings_for(event).requires_approval:
        registration.status = RegistrationStatus.PENDING_APPROVAL
    else:
        _place(registration, event, now)
    db.session.flush()
    for answer in registration.answers:
        if answer.question.is_concern:
            _raise_concern(registration, answer)
    return registration


# --------------------------------------------------------------------------- questions


@dataclass
class QuestionData:
    kind: QuestionKind
    label_ar: str
    label_fr: str
    help_ar: str = ""
    help_fr: str = ""
    choices_ar: str = ""
    choices_fr: str = ""
    required: bool = False
    is_concern: bool = False


def _clean_choices(text: str) -> str:
    return "\n".join(line.strip()[:200] for line in text.splitlines() if line.strip())[:5000]


def _apply_question(question: Question, data: QuestionData) -> None:
    if not (data.label_ar.strip() or data.label_fr.strip()):
        raise RsvpError(_l("Give the question a label in Arabic or French."))
    question.kind = data.kind
    question.label_ar, question.label_fr = data.label_ar.strip(), data.label_fr.strip()
    question.help_ar, question.help_fr = data.help_ar.strip(), data.help_fr.strip()
    question.choices_ar = _clean_choices(data.choices_ar)
    question.choices_fr = _clean_choices(data.choices_fr)
    if data.kind in CHOICE_KINDS:
        if len(question.choices_ar.splitlines()) + len(question.choices_fr.splitlines()) == 0:
            raise RsvpError(_l("A choice question needs its choices, one per line."))
        ar, fr = question.choices_ar.splitlines(), question.choices_fr.splitlines()
        if ar and fr and len(ar) != len(fr):
            raise RsvpError(_l("Give as many choices in Arabic as in French, in the same order."))
    question.required = data.required
    question.is_concern = data.is_concern


def add_question(event: Event, data: QuestionData) -> Question:
    last = db.session.scalar(
        sa.select(sa.func.max(Question.position)).where(Question.event_id == event.id)
    )
    question = Question(
        organisation_id=event.organisation_id,
        event_id=event.id,
        position=(last + 1) if last is not None else 0,
    )
    _apply_question(question, data)
    db.session.add(question)
    db.session.flush()
    return question


def update_question(question: Question, data: QuestionData) -> None:
    _apply_question(question, data)
    db.session.flush()


def delete_question(question: Question) -> None:
    db.session.delete(question)
    db.session.flush()


def move_question(question: Question, step: int) -> None:
    """Swap with the neighbour above (step -1) or below (step +1)."""
    ordered = questions_for(question.event_id)
    index = next(i for i, q in enumerate(ordered) if q.id == question.id)
    other = index + (1 if step > 0 else -1)
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position
    db.session.flush()


def save_settings(event: Event, open_registration: bool, requires_approval: bool) -> RsvpSettings:
    settings = settings_for(event)
    settings.open_registration = open_registration
    settings.requires_approval = requires_approval
    db.session.add(settings)
    db.session.flush()
    return settings


# --------------------------------------------------------------------------- lists, exports


@dataclass
class Counts:
    capacity: int
    accepted_people: int
    by_status: dict[str, int]

    @property
    def free(self) -> int:
        return max(self.capacity - self.accepted_people, 0)


def counts(event: Event) -> Counts:
    rows = db.session.execute(
        sa.select(Registration.status, sa.func.count(Registration.id))
        .where(Registration.event_id == event.id)
        .group_by(Registration.status)
    )
    by_status = {status.value: 0 for status in RegistrationStatus}
    for status, number in rows:
        by_status[RegistrationStatus(status).value] = number
    return Counts(event.capacity, accepted_seats(event.id), by_status)


def registrations_query(event: Event, status: str | None, source: str | None, query: str):
    stmt = sa.select(Registration).where(Registration.event_id == event.id)
    if status in {s.value for s in RegistrationStatus}:
        stmt = stmt.where(Registration.status == RegistrationStatus(status))
    if source in {s.value for s in RegistrationSource}:
        stmt = stmt.where(Registration.source == RegistrationSource(source))
    query = (query or "").strip()[:100]
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(Registration.full_name).like(like),
                sa.func.lower(Registration.email).like(like),
                Registration.phone.like(f"%{query}%"),
                sa.func.lower(Registration.company).like(like),
            )
        )
    return stmt.order_by(
        Registration.status, Registration.waitlisted_at, Registration.full_name, Registration.id
    )


def summaries(event: Event, locale: str) -> list[dict]:
    """Per question: counts per choice, figures for numbers, the texts for the rest."""
    result = []
    for question in questions_for(event.id):
        values = list(
            db.session.scalars(
                sa.select(Answer.value)
                .join(Registration, Registration.id == Answer.registration_id)
                .where(
                    Answer.question_id == question.id,
                    Registration.status.not_in(FINAL_STATUSES),
                )
                .order_by(Answer.id)
            )
        )
        entry = {"question": question, "answered": len(values), "counts": [], "texts": []}
        if question.kind in CHOICE_KINDS:
            choices = question.choices(locale)
            tally = [0] * len(choices)
            for value in values:
                for part in value.split(","):
                    if part.isdigit() and int(part) < len(tally):
                        tally[int(part)] += 1
            entry["counts"] = list(zip(choices, tally, strict=True))
        elif question.kind == QuestionKind.YES_NO:
            yes = sum(1 for v in values if v == "yes")
            entry["counts"] = [(_l("Yes"), yes), (_l("No"), len(values) - yes)]
        elif question.kind == QuestionKind.NUMBER:
            numbers = [float(v) for v in values if _is_number(v)]
            if numbers:
                entry["numbers"] = {
                    "min": min(numbers),
                    "max": max(numbers),
                    "mean": round(sum(numbers) / len(numbers), 2),
                }
        else:
            entry["texts"] = values[:200]
        result.append(entry)
    return result


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def export_rows(event: Event, locale: str) -> tuple[list[str], list[list]]:
    questions = questions_for(event.id)
    header = [
        str(_l("Name")),
        str(_l("Email")),
        str(_l("Phone")),
        str(_l("Company")),
        str(_l("Trade")),
        str(_l("Status")),
        str(_l("Source")),
        str(_l("Companions")),
        str(_l("Companion names")),
        str(_l("Consent given (UTC)")),
        str(_l("Answered (UTC)")),
        str(_l("Checked in (UTC)")),
    ] + [
        (q.label_ar if locale == "ar" else q.label_fr) or q.label_fr or q.label_ar
        for q in questions
    ]
    rows = []
    for registration in db.session.scalars(registrations_query(event, None, None, "")):
        answers = {a.question_id: a.value for a in registration.answers}
        rows.append(
            [
                registration.full_name,
                registration.email or "",
                registration.phone or "",
                registration.company,
                registration.trade,
                registration.status.value,
                registration.source.value,
                registration.companions,
                "; ".join(c.full_name for c in registration.companion_list),
                registration.consent_at,
                registration.updated_at,
                registration.checked_in_at,
            ]
            + [display_value(q, answers.get(q.id, ""), locale) for q in questions]
        )
    return header, rows


# --------------------------------------------------------------------------- email


def _enqueue(registration: Registration, kind: str, suffix: str, payload: dict | None = None):
    if not registration.email:
        return None  # no address: the organiser shares the ticket by hand
    return enqueue(
        db.session,
        key=f"{kind}:{registration.id}:{suffix}",
        kind=kind,
        to_email=registration.email,
        to_name=registration.full_name[:200],
        locale=registration.locale or "ar",
        payload={"registration_id": registration.id, **(payload or {})},
        organisation_id=registration.organisation_id,
        registration_id=registration.id,
        invitation_id=registration.invitation_id,
    )


def _enqueue_ticket(registration: Registration, reason: str):
    return _enqueue(registration, "rsvp_ticket", registration.ticket_code[:16], {"reason": reason})
