"""The organiser's view of the answers: counts, the filtered list, summaries, export."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from blueprints.events.models import Event
from blueprints.rsvp import seats
from blueprints.rsvp.models import (
    CHOICE_KINDS,
    Answer,
    QuestionKind,
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from blueprints.rsvp.questionnaire import display_value, questions_for
from extensions import db


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
    return Counts(event.capacity, seats.accepted_seats(event.id), by_status)


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
                    Registration.status.not_in(seats.FINAL_STATUSES),
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


def export_rows(event: Event, locale: str) -> tuple[list[str], Iterator[list]]:
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
    return header, _registration_rows(event, questions, locale)


def _registration_rows(event: Event, questions, locale: str) -> Iterator[list]:
    """One row per registration, read from the database as the export is sent."""
    query = registrations_query(event, None, None, "").execution_options(yield_per=1000)
    for registration in db.session.scalars(query):
        answers = {a.question_id: a.value for a in registration.answers}
        yield (
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
