"""Retention: `flask privacy purge` anonymises the registrations, door logs and sent email
of events past the organisation's retention period; the dry run only lists; figures stay."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from blueprints.checkin import reports
from blueprints.checkin.models import CheckIn, CheckInResult
from blueprints.privacy import retention
from blueprints.rsvp import tickets
from blueprints.rsvp.models import Registration
from core import outbox
from core.db import utcnow
from extensions import db
from tests.conftest import make_event
from tests.surveys.conftest import make_registration


def _event_with_people(org, days_ago: int, name: str):
    event = make_event(org, title_fr=f"Rencontre {name}", starts_in=timedelta(days=-days_ago))
    registration = make_registration(
        event,
        name,
        email=f"{name.lower()}@example.ma",
        phone="+212661111111" if name == "Ancien" else None,
        companions=[(f"{name} Ami", None)],
    )
    db.session.add(
        CheckIn(
            organisation_id=org.id,
            event_id=event.id,
            registration_id=registration.id,
            code_excerpt="Xy12ab",
            result=CheckInResult.ADMITTED,
            answer={"result": "admitted", "registration": {"name": name}},
        )
    )
    message = outbox.enqueue(
        db.session,
        key=f"ticket-{name}",
        kind="rsvp_ticket",
        to_email=registration.email,
        to_name=name,
        locale="fr",
        payload={"registration_id": registration.id},
        organisation_id=org.id,
        subject=("registration", registration.id),
    )
    message.state, message.sent_at = outbox.OutboxState.SENT, utcnow()
    db.session.commit()
    return event


def _figures(event):
    return (
        [(c.category, c.arrived, c.expected) for c in reports.by_category(event)],
        tickets.places_taken(event),
    )


def _held(event) -> list:
    regs = list(
        db.session.scalars(sa.select(Registration).where(Registration.event_id == event.id))
    )
    logs = db.session.scalars(sa.select(CheckIn).where(CheckIn.event_id == event.id))
    mails = db.session.scalars(
        sa.select(outbox.OutboxMessage).where(
            outbox.OutboxMessage.about("registration", [r.id for r in regs])
        )
    )
    return (
        [(r.full_name, r.email, r.phone, [c.full_name for c in r.companion_list]) for r in regs]
        + [(c.code_excerpt, c.answer) for c in logs]
        + sorted((m.to_email, m.to_name) for m in mails)
    )


def test_dry_run_lists_and_the_real_run_anonymises_only_old_events(app, org):
    org.retention_months = 24
    old = _event_with_people(org, 25 * 31, "Ancien")
    recent = _event_with_people(org, 30, "Recent")
    figures = _figures(old), _figures(recent)
    held_before = _held(old), _held(recent)

    runner = app.test_cli_runner()
    dry = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"event {old.id}" in dry.output and f"event {recent.id}" not in dry.output
    assert "would anonymise 1 registration(s), 1 check-in log row(s), 1 email(s)" in dry.output
    db.session.expire_all()
    assert (_held(old), _held(recent)) == held_before

    real = runner.invoke(args=["privacy", "purge"])
    assert real.exit_code == 0 and "anonymised 1 registration(s)" in real.output
    db.session.expire_all()
    after = repr(_held(old))
    for gone in ("Ancien", "ancien@example.ma", "+212661111111", "Xy12ab"):
        assert gone not in after
    assert _held(recent) == held_before[1]
    assert (_figures(old), _figures(recent)) == figures
    again = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert "privacy purge: 0 event(s)" in again.output


def test_the_period_is_the_organisations(org):
    org.retention_months = 1
    event = _event_with_people(org, 45, "Court")
    assert [r.event_id for r in retention.purge(dry_run=True)] == [event.id]
    assert retention.months_before(utcnow().replace(month=3, day=31), 1).month == 2
