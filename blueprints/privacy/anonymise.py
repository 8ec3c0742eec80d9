"""Replacing a person's details while keeping every count (shared by erasure and purge).

A registration stays a row (so an erased attendee still counts as one arrival, one seat,
one "yes"), but loses its name, contacts, company, free-text answers and its ticket; its
companions keep their number, not their names; the door's log keeps the result of each
scan, not who it was; follow-ups keep their text, not who raised it; identified survey
answers stay in the results, no longer linked to anyone.
"""

from __future__ import annotations

import sqlalchemy as sa

from blueprints.checkin.models import CheckIn
from blueprints.followups.models import FollowUp
from blueprints.rsvp.models import (
    Answer,
    Companion,
    Question,
    QuestionKind,
    Registration,
    RegistrationConfirmation,
)
from blueprints.surveys.models import SurveyInvite, SurveyResponse
from core import audit
from core.outbox import OutboxMessage, OutboxState
from core.tokens import new_token
from extensions import db

ERASED_NAME = "—"
ERASED_EMAIL = "erased@invalid"
PERSONAL_KEYS = {"name", "company", "email", "phone", "full_name"}
FREE_TEXT = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT, QuestionKind.PHONE,
             QuestionKind.EMAIL, QuestionKind.DATE)  # fmt: skip


def scrub(value):
    """A JSON value without the personal keys at any depth."""
    if isinstance(value, dict):
        return {k: ("" if k in PERSONAL_KEYS else scrub(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def registrations(ids: list[int]) -> dict[str, int]:
    """Anonymise these registrations and everything that names their people; counts."""
    if not ids:
        return {"registrations": 0}
    done = {"registrations": len(ids)}
    db.session.execute(
        audit.bulk(
            sa.update(Registration)
            .where(Registration.id.in_(ids))
            .values(
                full_name=ERASED_NAME,
                email=None,
                phone=None,
                company="",
                decline_reason="",
                ticket_code_hash=None,
                ticket_code_sealed=None,
            )  # fmt: skip
            .execution_options(synchronize_session=False),
            "member.erase or retention.purge (the callers record the counts)",
        )
    )
    db.session.execute(
        sa.update(Companion)
        .where(Companion.registration_id.in_(ids))
        .values(full_name=ERASED_NAME, email=None)
        .execution_options(synchronize_session=False)
    )
    text_questions = sa.select(Question.id).where(Question.kind.in_(FREE_TEXT))
    done["answers"] = db.session.execute(
        sa.update(Answer)
        .where(Answer.registration_id.in_(ids), Answer.question_id.in_(text_questions))
        .values(value="")
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.execute(
        sa.delete(RegistrationConfirmation).where(RegistrationConfirmation.registration_id.in_(ids))
    )
    for invite in db.session.scalars(
        sa.select(SurveyInvite).where(SurveyInvite.registration_id.in_(ids))
    ):
        invite.email, invite.full_name, invite.token = ERASED_EMAIL, "", new_token()
    db.session.execute(
        sa.update(SurveyResponse)
        .where(SurveyResponse.registration_id.in_(ids))
        .values(registration_id=None, companion_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(FollowUp)
        .where(FollowUp.registration_id.in_(ids))
        .values(registration_id=None, raised_by_name="", raised_by_contact="")
        .execution_options(synchronize_session=False)
    )
    done["checkins"] = checkin_logs(sa.select(CheckIn.id).where(CheckIn.registration_id.in_(ids)))
    return done


def checkin_logs(ids_query) -> int:
    """The door's log rows keep their result and time, not what was scanned or who."""
    count = 0
    for log in db.session.scalars(sa.select(CheckIn).where(CheckIn.id.in_(ids_query))):
        log.code_excerpt, log.answer = "", scrub(log.answer or {})
        count += 1
    return count


def outbox_for(organisation_id: int, emails: set[str], subjects: list[tuple[str, list[int]]]):
    """Queued email for these people removed; sent ones keep no address or name."""
    about = [OutboxMessage.about(kind, ids) for kind, ids in subjects if ids]
    if emails:
        about.append(sa.func.lower(OutboxMessage.to_email).in_(emails))
    if not about:
        return 0, 0
    mine = sa.and_(OutboxMessage.organisation_id == organisation_id, sa.or_(*about))
    removed = db.session.execute(
        sa.delete(OutboxMessage).where(
            mine, OutboxMessage.state.in_([OutboxState.QUEUED, OutboxState.FAILED])
        )
    ).rowcount
    scrubbed = db.session.execute(
        sa.update(OutboxMessage)
        .where(mine)
        .values(to_email=ERASED_EMAIL, to_name="", last_error="")
        .execution_options(synchronize_session=False)
    ).rowcount
    return removed, scrubbed
