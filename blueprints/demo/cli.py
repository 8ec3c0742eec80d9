"""`flask demo`: the demo organisation, its meeting and members; a second run changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from blueprints.auth import services as accounts
from blueprints.auth.models import Role, User
from blueprints.demo import data
from blueprints.events.models import Event, EventStatus, ProgrammeItem
from blueprints.members.models import Member, MemberCategory, MemberTag
from blueprints.members.services import refresh_search_text
from blueprints.orgs.models import Organisation, Partner, PartnerKind
from core import i18n
from core.db import utcnow
from core.phones import normalise_phone
from extensions import db


def next_meeting_day(today: date) -> date:
    """A Thursday three to four weeks ahead, like the meeting in the article."""
    day = today + timedelta(days=21)
    return day + timedelta(days=(3 - day.weekday()) % 7)


@click.command("demo")
@with_appcontext
def cli():
    """Load the demo organisation, its meeting, members and staff accounts (idempotent)."""
    org = load()
    click.echo(f"Demo organisation '{org.slug}' is ready. Sign in with:")
    for spec in data.STAFF:
        click.echo(f"  {spec['role']:<10} {spec['email']:<28} password: {data.DEMO_PASSWORD}")


def load() -> Organisation:
    org = _organisation()
    partners = _partners(org)
    _staff(org)
    _members(org)
    _event(org, partners)
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
            consent_text_ar="أوافق على أن تتواصل معي الجمعية بخصوص لقاءاتها (القانون 09-08).",
            consent_text_fr="J'accepte que l'association me contacte au sujet de ses rencontres "
            "(loi 09-08).",
            consent_text_en="I agree that the association may contact me about its meetings "
            "(law 09-08).",
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


def _staff(org: Organisation) -> None:
    for spec in data.STAFF:
        if db.session.scalar(sa.select(User.id).where(User.email == spec["email"])) is None:
            accounts.create_user(
                organisation_id=org.id,
                email=spec["email"],
                password=data.DEMO_PASSWORD,
                role=Role(spec["role"]),
                full_name=spec["full_name"],
                locale=spec["locale"],
            )


def _members(org: Organisation) -> None:
    existing = set(
        db.session.scalars(sa.select(Member.email).where(Member.organisation_id == org.id))
    )
    existing_phones = set(
        db.session.scalars(sa.select(Member.phone).where(Member.organisation_id == org.id))
    )
    existing_names = set(
        db.session.scalars(sa.select(Member.full_name).where(Member.organisation_id == org.id))
    )
    for spec in [*data.MEMBERS, *data.OFFICIALS]:
        phone = normalise_phone(spec["phone"])
        if (
            (spec["email"] and spec["email"] in existing)
            or (phone and phone in existing_phones)
            or spec["full_name"] in existing_names
        ):
            continue
        member = Member(
            organisation_id=org.id,
            full_name=spec["full_name"],
            company=spec["company"] or "",
            trade=spec["trade"] or "",
            city=spec["city"] or "",
            email=spec["email"],
            phone=phone,
            locale=spec["locale"],
            category=MemberCategory(spec["category"]),
            ice=spec["ice"],
            cnss_number=spec["cnss_number"],
            consent_at=utcnow(),
            consent_source="demo",
            tags=[MemberTag(tag=t) for t in spec["tags"]],
        )
        refresh_search_text(member)
        db.session.add(member)
    db.session.flush()


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
        venue_name=f"{spec['venue_name_fr']} — {spec['venue_name_ar']}",
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
