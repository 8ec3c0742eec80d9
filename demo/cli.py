"""`flask demo`: the demo organisation, its meetings, members and their story.

A second run changes nothing: every part is made only when it is missing. Everything
that a feature does (inviting, answering, admitting, surveying, following up) goes
through that feature's own services, exactly as the pages would do it.
"""

from __future__ import annotations

import time as clock
from datetime import date, timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from blueprints.auth import services as accounts
from blueprints.auth.models import User
from blueprints.events.models import Event, EventStatus, ProgrammeItem
from blueprints.invitations import services as invitation_services
from blueprints.invitations.models import Invitation
from blueprints.members import importer
from blueprints.members import imports as member_imports
from blueprints.members.models import Member
from blueprints.orgs.models import Organisation, Partner, PartnerKind
from blueprints.rsvp import tickets
from blueprints.rsvp.models import Registration, RegistrationStatus
from blueprints.surveys.models import Survey, SurveyInvite
from core import i18n
from core.db import utcnow
from core.roles import Role
from core.urls import external_url
from demo import around, data
from demo.story import Cast, by_title, main_meeting_story, past_edition, today_session
from extensions import db


def next_meeting_day(today: date) -> date:
    """A Thursday three to four weeks ahead, like the meeting in the article."""
    day = today + timedelta(days=21)
    return day + timedelta(days=(3 - day.weekday()) % 7)


@click.command("demo")
@with_appcontext
def cli():
    """Load the demo organisation, its meetings, members and staff accounts (idempotent)."""
    started = clock.perf_counter()
    org = load()
    click.echo(f"Demo organisation '{org.slug}' is ready. Sign in with:")
    for spec in data.STAFF:
        click.echo(f"  {spec['role']:<10} {spec['email']:<28} password: {data.DEMO_PASSWORD}")
    click.echo("Try:")
    for label, url in demo_links(org):
        click.echo(f"  {label:<44} {url}")
    click.echo(f"(done in {clock.perf_counter() - started:.1f} s)")


def load() -> Organisation:
    org = _organisation()
    partners = _partners(org)
    _staff(org, partners)
    _members(org)
    _event(org, partners)
    db.session.flush()
    cast = Cast.of(org, partners)
    main_meeting_story(cast)
    today_session(cast)
    past_edition(cast)
    db.session.commit()
    return org


def _organisation() -> Organisation:
    spec = data.ORGANISATION
    org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == spec["slug"]))
    if org is None:
        org = Organisation(
            slug=spec["slug"],
            name_ar=spec["name_ar"],
            name_fr=spec["name_fr"],
            name_en=spec["name_en"],
            sender_name=spec["sender_name"],
            consent_text_ar=spec["consent_text_ar"],
            consent_text_fr=spec["consent_text_fr"],
            consent_text_en=spec["consent_text_en"],
        )
        db.session.add(org)
        db.session.flush()
    return org


def _partners(org: Organisation) -> dict[str, Partner]:
    found = {}
    for spec in data.PARTNERS:
        partner = db.session.scalar(
            sa.select(Partner).where(
                Partner.organisation_id == org.id, Partner.name_fr == spec["name_fr"]
            )
        )
        if partner is None:
            partner = Partner(
                organisation_id=org.id,
                name_ar=spec["name_ar"],
                name_fr=spec["name_fr"],
                name_en=spec["name_en"],
                kind=PartnerKind(spec["kind"]),
            )
            db.session.add(partner)
        found[spec["key"]] = partner
    db.session.flush()
    return found


def _staff(org: Organisation, partners: dict[str, Partner]) -> None:
    for spec in data.STAFF:
        if db.session.scalar(sa.select(User.id).where(User.email == spec["email"])) is None:
            user = accounts.create_user(
                organisation_id=org.id,
                email=spec["email"],
                password=data.DEMO_PASSWORD,
                role=Role(spec["role"]),
                full_name=spec["full_name"],
                locale=spec["locale"],
            )
            if "partner" in spec:
                user.partner_id = partners[spec["partner"]].id


def _members(org: Organisation) -> dict[str, int]:
    """The members' list through the importer, as an organiser would upload it; rows whose
    email or phone is already known are skipped, so a second run adds nothing."""
    content = data.MEMBERS_CSV.read_bytes()
    table = importer.read_table(content, data.MEMBERS_CSV.name)
    mapping = importer.guess_mapping(table.header)
    summary = member_imports.apply_rows(
        org.id, table, mapping, update_existing=False, consent_source="demo"
    )
    if summary["invalid"]:
        raise click.ClickException(f"demo/members.csv has invalid rows: {summary}")
    return summary


def _event(org: Organisation, partners: dict[str, Partner]) -> None:
    spec = data.EVENT
    exists = db.session.scalar(
        sa.select(Event.id).where(
            Event.organisation_id == org.id, Event.title_fr == spec["title_fr"]
        )
    )
    if exists is not None:
        return
    day = next_meeting_day(i18n.to_local(utcnow()).date())
    event = Event(
        organisation_id=org.id,
        title_ar=spec["title_ar"],
        title_fr=spec["title_fr"],
        title_en=spec["title_en"],
        description_ar=spec["description_ar"],
        description_fr=spec["description_fr"],
        description_en=spec["description_en"],
        venue_name=spec["venue_name_fr"],
        venue_name_ar=spec["venue_name_ar"],
        venue_name_fr=spec["venue_name_fr"],
        venue_address=spec["venue_address"],
        map_url=spec["map_url"],
        starts_at=i18n.local_to_utc(day, spec["start_time"]),
        ends_at=i18n.local_to_utc(day, spec["end_time"]),
        rsvp_deadline=i18n.local_to_utc(day - timedelta(days=2), spec["start_time"]),
        capacity=spec["capacity"],
        max_companions=spec["max_companions"],
        status=EventStatus.PUBLISHED,
        published_at=utcnow(),
        cohosts=[partners[key] for key in spec["co_hosts"]],
        programme=[
            ProgrammeItem(
                position=i,
                starts_at=item["time"],
                title_ar=item["title_ar"],
                title_fr=item["title_fr"],
                title_en=item["title_en"],
                speaker_ar=item["speaker_ar"],
                speaker_fr=item["speaker_fr"],
                speaker_en=item["speaker_en"],
            )
            for i, item in enumerate(data.PROGRAMME)
        ],
    )
    db.session.add(event)
    db.session.flush()
    current_app.logger.info("demo event %s on %s", event.id, day)


def demo_links(org: Organisation) -> list[tuple[str, str]]:
    """The pages a new user can open right away, with real tokens of the demo data."""
    links = []
    main = by_title(org, "")
    today = by_title(org, around.TODAY_SUFFIX["fr"])
    past = by_title(org, around.PAST_SUFFIX["fr"])
    if today is not None:
        links.append(
            ("Door page, today's session (door)", external_url(f"/door/events/{today.id}"))
        )
        ticket = db.session.scalar(
            sa.select(Registration)
            .where(
                Registration.event_id == today.id,
                Registration.status == RegistrationStatus.ACCEPTED,
                Registration.checked_in_at.is_(None),
                Registration.ticket_code_hash.is_not(None),
            )
            .order_by(Registration.id)
            .limit(1)
        )
        if ticket:
            url = tickets.ticket_url(ticket.ticket_code)
            links.append(("A ticket to scan or open (today's session)", url))
        links.append(
            ("Arrivals, today's session (organiser)", external_url(f"/events/{today.id}/arrivals"))
        )
    if main is not None:
        invitation = db.session.scalar(
            sa.select(Invitation)
            .join(Member, Member.id == Invitation.member_id)
            .outerjoin(Registration, Registration.invitation_id == Invitation.id)
            .where(
                Invitation.event_id == main.id,
                Registration.id.is_(None),
                Member.email.is_not(None),
            )
            .order_by(Invitation.id)
            .limit(1)
        )
        if invitation:
            url = invitation_services.rsvp_url(invitation.token)
            links.append(("An invitation to answer (main meeting)", url))
        links.append(
            (
                "Registrations, main meeting (organiser)",
                external_url(f"/events/{main.id}/registrations"),
            )
        )
    if past is not None:
        invite = db.session.scalar(
            sa.select(SurveyInvite)
            .join(Survey, Survey.id == SurveyInvite.survey_id)
            .where(Survey.event_id == past.id)
            .order_by(SurveyInvite.responded, SurveyInvite.id)
            .limit(1)
        )
        if invite:
            links.append(("A survey to answer (past edition)", external_url(f"/s/{invite.token}")))
        links.append(
            (
                "Survey results, past edition (organiser)",
                external_url(f"/events/{past.id}/survey/results"),
            )
        )
    links.append(("Follow-up board (organiser)", external_url("/followups")))
    return links
