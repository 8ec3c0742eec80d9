"""Each follow-up's thread: the partner takes it, answers (Arabic or French), the member
replies once per answer through a personal link, and "still not solved" opens it again.

Also what a partner account may see (only its partner's follow-ups, optionally only its
departments) and the board's figures per partner. Services only flush.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from blueprints.auth.models import User
from blueprints.followups.models import (
    FollowUp,
    FollowUpMessage,
    FollowUpStatus,
    MessageKind,
    MessageOutcome,
)
from blueprints.followups.services import MAX_TEXT, FollowUpError, may_contact
from core.db import utcnow
from core.i18n import person_language
from core.outbox import enqueue
from core.roles import Role
from core.tokens import find_by_token, new_token
from extensions import db

ANSWER_KIND = "followup_answer"
ANSWER_LANGUAGES = ("ar", "fr")
ANSWER_OUTCOMES = {
    MessageOutcome.RESOLVED: FollowUpStatus.RESOLVED,
    MessageOutcome.NEEDS_DOCUMENTS: FollowUpStatus.NEEDS_DOCUMENTS,
}
NOTE_TAKEN, NOTE_REASSIGNED = "taken", "reassigned"  # a note's body: what happened
OVERDUE_DAYS = 14  # an item still open after this long is shown in red on the boards
REPLY_LINK_DAYS = 60  # the member's reply link works this long after the answer


# --------------------------------------------------------------------------- who sees what


def partner_query(user: User):
    """The follow-ups a partner account may see: its partner's, in its organisation, and
    only its departments when it has some. Nothing at all for an account without partner."""
    if user.role != Role.PARTNER or user.partner_id is None:
        return sa.select(FollowUp).where(sa.false())
    stmt = sa.select(FollowUp).where(
        FollowUp.organisation_id == user.organisation_id,
        FollowUp.partner_id == user.partner_id,
    )
    if user.departments:
        stmt = stmt.where(FollowUp.department.in_(user.departments))
    return stmt


def partner_followups(user: User, status: str = "") -> list[FollowUp]:
    stmt = partner_query(user)
    if status in {s.value for s in FollowUpStatus}:
        stmt = stmt.where(FollowUp.status == status)
    return list(db.session.scalars(stmt.order_by(FollowUp.created_at.asc(), FollowUp.id)))


def partner_followup(user: User, followup_id: int) -> FollowUp | None:
    return db.session.scalar(partner_query(user).where(FollowUp.id == followup_id))


def contact_shown(followup: FollowUp) -> bool:
    """Who raised it and how to reach them, shown to a partner only with the person's consent
    (never for an anonymous concern)."""
    return may_contact(followup) is not None


# --------------------------------------------------------------------------- the steps


def _message(followup: FollowUp, kind: MessageKind, now: datetime, **fields) -> FollowUpMessage:
    message = FollowUpMessage(
        organisation_id=followup.organisation_id,
        followup_id=followup.id,
        kind=kind,
        created_at=now,
        **fields,
    )
    db.session.add(message)
    followup.messages.append(message)
    return message


def take(followup: FollowUp, user: User, now: datetime | None = None) -> None:
    """The partner takes it in hand: open becomes in progress."""
    now = now or utcnow()
    if followup.status != FollowUpStatus.OPEN:
        return
    followup.status = FollowUpStatus.IN_PROGRESS
    followup.started_at = followup.started_at or now
    _message(
        followup, MessageKind.NOTE, now, body=NOTE_TAKEN, author_id=user.id,
        author_name=user.full_name,
    )  # fmt: skip
    db.session.flush()


def answer(
    followup: FollowUp,
    user: User,
    body: str,
    language: str,
    outcome: MessageOutcome | str,
    now: datetime | None = None,
) -> FollowUpMessage:
    """The answer, in the thread and (with the person's consent) emailed with a reply link."""
    now = now or utcnow()
    body = (body or "").strip()
    if not body:
        raise FollowUpError(_l("Write the answer."))
    if len(body) > MAX_TEXT:
        raise FollowUpError(_l("The answer is too long (maximum length: %(n)s).", n=MAX_TEXT))
    if language not in ANSWER_LANGUAGES:
        raise FollowUpError(_l("Choose the language of the answer."))
    try:
        status = ANSWER_OUTCOMES[MessageOutcome(outcome)]
    except (ValueError, KeyError):
        raise FollowUpError(_l("Choose what the answer does.")) from None
    message = _message(
        followup,
        MessageKind.ANSWER,
        now,
        outcome=MessageOutcome(outcome),
        body=body,
        language=language,
        author_id=user.id,
        author_name=user.full_name,
    )
    followup.status = status
    followup.started_at = followup.started_at or now
    followup.resolution = body
    followup.resolved_at = now if status == FollowUpStatus.RESOLVED else None
    registration = may_contact(followup)
    if registration is not None:
        message.reply_token = new_token()
        db.session.flush()
        enqueue(
            db.session,
            key=f"followup:{followup.id}:answer:{message.id}",
            kind=ANSWER_KIND,
            to_email=registration.email,
            to_name=registration.full_name,
            locale=person_language(registration.locale),
            payload={"message_id": message.id},
            organisation_id=followup.organisation_id,
            subject=("followup", followup.id),
        )
    db.session.flush()
    return message


def answer_by_reply_token(token: str | None) -> FollowUpMessage | None:
    message = find_by_token(FollowUpMessage, token, name="reply")
    if message is None or message.kind != MessageKind.ANSWER:
        return None
    return message


def reply_open(message: FollowUpMessage, now: datetime | None = None) -> bool:
    expires = message.created_at + timedelta(days=REPLY_LINK_DAYS)
    return message.replied_at is None and (now or utcnow()) < expires


def member_reply(
    message: FollowUpMessage, solved: bool, text: str, now: datetime | None = None
) -> FollowUpMessage:
    """The member's one reply to an answer: "solved" closes it, "still not solved" opens
    it again for the partner, the whole thread kept."""
    now = now or utcnow()
    if not reply_open(message, now):
        raise FollowUpError(_l("This answer already has your reply, or the link has expired."))
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise FollowUpError(_l("The text is too long (maximum length: %(n)s).", n=MAX_TEXT))
    if not solved and not text:
        raise FollowUpError(_l("Say in a few words what is still not solved."))
    followup = message.followup
    message.replied_at = now
    registration = followup.registration
    reply = _message(
        followup,
        MessageKind.REPLY,
        now,
        outcome=MessageOutcome.SOLVED if solved else MessageOutcome.NOT_SOLVED,
        body=text,
        language=registration.locale if registration else "",
        author_name=followup.raised_by_name,
    )
    if solved:
        followup.status = FollowUpStatus.RESOLVED
        followup.resolved_at = followup.resolved_at or now
    else:
        followup.status = FollowUpStatus.OPEN
        followup.resolved_at = None
    db.session.flush()
    return reply


# --------------------------------------------------------------------------- the figures


@dataclass
class PartnerFigures:
    partner_id: int | None
    total: int = 0
    open: int = 0
    overdue: int = 0
    first_answer_hours: float | None = None  # mean, over those answered
    resolution_hours: float | None = None  # mean, over those resolved


def _mean_hours(deltas: list[timedelta]) -> float | None:
    if not deltas:
        return None
    return round(sum(d.total_seconds() for d in deltas) / len(deltas) / 3600, 1)


def is_overdue(followup: FollowUp, now: datetime | None = None) -> bool:
    if followup.status == FollowUpStatus.RESOLVED:
        return False
    return (now or utcnow()) - followup.created_at > timedelta(days=OVERDUE_DAYS)


def age_days(followup: FollowUp, now: datetime | None = None) -> int:
    return ((now or utcnow()) - followup.created_at).days


def partner_figures(organisation_id: int, now: datetime | None = None) -> list[PartnerFigures]:
    """Per partner: open, overdue, mean time to the first answer and to resolution."""
    now = now or utcnow()
    first_answer = (
        sa.select(FollowUpMessage.followup_id, sa.func.min(FollowUpMessage.created_at))
        .where(
            FollowUpMessage.organisation_id == organisation_id,
            FollowUpMessage.kind == MessageKind.ANSWER,
        )
        .group_by(FollowUpMessage.followup_id)
    )
    firsts = dict(db.session.execute(first_answer).all())
    rows = db.session.execute(
        sa.select(FollowUp.id, FollowUp.partner_id, FollowUp.status, FollowUp.created_at,
                  FollowUp.resolved_at)
        .where(FollowUp.organisation_id == organisation_id, FollowUp.partner_id.is_not(None))
    ).all()  # fmt: skip
    figures: dict[int, PartnerFigures] = {}
    answered: dict[int, list] = {}
    resolved: dict[int, list] = {}
    for fid, partner_id, status, created, resolved_at in rows:
        fig = figures.setdefault(partner_id, PartnerFigures(partner_id))
        fig.total += 1
        if status != FollowUpStatus.RESOLVED:
            fig.open += 1
            if now - created > timedelta(days=OVERDUE_DAYS):
                fig.overdue += 1
        if fid in firsts:
            first = firsts[fid]
            first = first if first.tzinfo else first.replace(tzinfo=created.tzinfo)
            answered.setdefault(partner_id, []).append(first - created)
        if resolved_at is not None:
            resolved.setdefault(partner_id, []).append(resolved_at - created)
    for partner_id, fig in figures.items():
        fig.first_answer_hours = _mean_hours(answered.get(partner_id, []))
        fig.resolution_hours = _mean_hours(resolved.get(partner_id, []))
    return list(figures.values())
