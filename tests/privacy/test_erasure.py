"""Erasing a member: no page, export or report of the organisation shows any of their data
afterwards, their links stop working, and every figure stays what it was."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from flask import url_for

from blueprints.checkin import reports
from blueprints.followups.services import record_concern
from blueprints.invitations.models import Invitation
from blueprints.members.models import Member
from blueprints.privacy import erasure
from blueprints.rsvp import tickets
from blueprints.rsvp.models import Registration, RegistrationStatus
from blueprints.surveys import answering, results
from blueprints.surveys import services as surveys
from blueprints.surveys.models import SurveyInvite
from core import outbox
from core.tokens import new_token
from extensions import db
from tests.conftest import csrf_token_from, login, make_event, make_member
from tests.surveys.conftest import make_registration, question_of

NAME, EMAIL, PHONE, COMPANY = (
    "Zineb Amrani",
    "zineb.amrani@example.ma",
    "+212661998877",
    "Zineb Couture",
)
COMPANION = "Hamid Oufkir"


def _attend(event, member, other):
    invitation = Invitation(
        organisation_id=event.organisation_id, event_id=event.id, member_id=member.id
    )
    db.session.add(invitation)
    db.session.flush()
    registration = make_registration(
        event,
        NAME,
        email=EMAIL,
        phone=PHONE,
        company=COMPANY,
        member_id=member.id,
        invitation_id=invitation.id,
        companions=[(COMPANION, "hamid@example.ma")],
        consent_at=event.starts_at,
    )
    registration.ticket_code = new_token()
    make_registration(event, other.full_name, email=other.email, member_id=other.id)
    db.session.commit()
    return invitation.token, registration


def _world(org):
    member = make_member(org, NAME, email=EMAIL, phone=PHONE, company=COMPANY)
    other = make_member(org, "Omar Chraibi", email="omar@example.ma")
    first = make_event(org, starts_in=timedelta(hours=-5), hours=4)
    second = make_event(org, title_fr="Deuxième rencontre", starts_in=timedelta(days=-3), hours=3)
    secrets, regs = [], []
    for event in (first, second):
        token, registration = _attend(event, member, other)
        secrets += [token, registration.ticket_code]
        regs.append(registration)
    survey = surveys.create_survey(first)
    db.session.commit()
    surveys.open_survey(survey)
    db.session.commit()
    invite = db.session.scalar(
        sa.select(SurveyInvite).where(
            SurveyInvite.registration_id == regs[0].id, SurveyInvite.companion_id.is_(None)
        )
    )
    secrets.append(invite.token)
    rating = question_of(survey, "rating")
    answering.submit_response(invite, {str(rating.id): 4})
    record_concern(
        organisation_id=org.id,
        event_id=first.id,
        text="Le délai CNSS est trop long",
        source="rsvp",
        registration_id=regs[0].id,
        raised_by_name=NAME,
        raised_by_contact=EMAIL,
    )
    outbox.enqueue(
        db.session,
        key="sweep-pending",
        kind="ticket",
        to_email=EMAIL,
        to_name=NAME,
        locale="fr",
        payload={"registration_id": regs[1].id},
        organisation_id=org.id,
        subject=("registration", regs[1].id),
    )
    db.session.commit()
    return member, (first, second), survey, secrets


def _figures(events, survey) -> dict:
    figures = {}
    for event in events:
        figures[event.id] = (
            [(c.category, c.arrived, c.expected) for c in reports.by_category(event)],
            [(b.start, b.count) for b in reports.arrivals_per_quarter(event)],
            tickets.places_taken(event),
            db.session.scalar(
                sa.select(sa.func.count(Registration.id)).where(
                    Registration.event_id == event.id,
                    Registration.status == RegistrationStatus.ACCEPTED,
                    Registration.checked_in_at.is_not(None),
                )
            ),
        )
    figures["survey"] = (surveys.response_count(survey), results.sent_count(survey))
    return figures


def _urls(app, member, events, followup_ids) -> list[str]:
    """Every GET page of the organisation we can fill in, with each of our objects."""
    values = {
        "member_id": [member.id],
        "event_id": [e.id for e in events],
        "followup_id": followup_ids,
        "fmt": ["csv"],
    }
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in ("static", "site.favicon"):
                continue
            if not set(rule.arguments) <= set(values):
                continue
            combos = [{}]
            for arg in rule.arguments:
                combos = [{**c, arg: v} for c in combos for v in values[arg]]
            urls += [url_for(rule.endpoint, **c) for c in combos]
    return urls + ["/members?archived=1", "/members?q=zineb", "/members/export.csv?archived=1"]


BINARY = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)


def _readable(response) -> str:
    """A page's or an export's text; PDFs (report, badges) are compressed streams, and what
    they print comes from the same services the HTML pages show."""
    if response.mimetype in BINARY or response.mimetype.startswith("image/"):
        return ""
    return response.get_data(as_text=True)


def test_erasing_a_member_removes_them_everywhere_and_keeps_every_figure(app, client, org, owner):
    member, events, survey, secrets = _world(org)
    followup_ids = [f for f in db.session.scalars(sa.text("SELECT id FROM follow_up"))]
    before = _figures(events, survey)
    login(client, owner.email)
    urls = _urls(app, member, events, followup_ids)
    assert len(urls) > 25
    seen_before = "".join(_readable(client.get(u)) for u in urls)
    assert NAME in seen_before and COMPANION in seen_before  # the sweep does look

    page = client.get(f"/members/{member.id}/privacy").get_data(as_text=True)
    response = client.post(
        f"/members/{member.id}/erase", data={"csrf_token": csrf_token_from(page), "confirm": "y"}
    )
    assert response.status_code == 302
    db.session.expire_all()

    needles = [NAME, "Zineb", EMAIL, PHONE, "661998877", COMPANY, COMPANION, *secrets]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), url
        body = _readable(response)
        found = [n for n in needles if n in body]
        assert not found, f"{url} still shows {found}"
    assert _figures(events, survey) == before
    for token in secrets:
        for path in (f"/r/{token}", f"/t/{token}", f"/s/{token}"):
            assert client.get(path).status_code in (404, 410), path
    pending = db.session.scalars(sa.select(outbox.OutboxMessage)).all()
    assert all(m.to_email != EMAIL for m in pending)
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(outbox.OutboxMessage)
            .where(outbox.OutboxMessage.key == "sweep-pending")
        )
        == 0
    )
    followup = db.session.scalar(sa.text("SELECT text FROM follow_up"))
    assert followup == "Le délai CNSS est trop long"
    erased = db.session.get(Member, member.id)
    assert erased.erased_at is not None and erased.email is None and erased.phone is None


def test_erasure_asks_for_confirmation_and_happens_once(client, org, organiser):
    member = make_member(org, NAME, email=EMAIL)
    login(client, organiser.email)
    page = client.get(f"/members/{member.id}/privacy").get_data(as_text=True)
    token = csrf_token_from(page)
    client.post(f"/members/{member.id}/erase", data={"csrf_token": token})
    assert db.session.get(Member, member.id).erased_at is None
    client.post(f"/members/{member.id}/erase", data={"csrf_token": token, "confirm": "y"})
    again = client.post(
        f"/members/{member.id}/erase",
        data={"csrf_token": token, "confirm": "y"},
        follow_redirects=True,
    )
    assert "alert-warning" in again.get_data(as_text=True)  # "already erased"
    entries = db.session.scalars(sa.text("SELECT action FROM audit_entry")).all()
    assert entries.count("member.erase") == 1


def test_a_request_from_the_member_waits_for_an_organiser(org):
    member = make_member(org, NAME, email=EMAIL)
    erasure.request_erasure(member)
    db.session.commit()
    assert member.erasure_requested_at is not None and member.erased_at is None
    assert re.search("Zineb", member.full_name)
