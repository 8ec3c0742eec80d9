"""`flask demo`: the demo organisation, its meetings, members and their story.

A second run changes nothing: every part is made only when it is missing. Everything
that a feature does (inviting, answering, admitting, surveying, following up) goes
through that feature's own services, exactly as the pages would do it.
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from blueprints.auth import services as accounts
from blueprints.auth.models import User
from blueprints.checkin import admission
from blueprints.demo import data
from blueprints.events import services as event_services
from blueprints.events.models import Event, EventStatus, ProgrammeItem
from blueprints.followups import services as followup_services
from blueprints.followups.models import FollowUp, FollowUpSource, FollowUpStatus
from blueprints.invitations import delivery as invitations_delivery
from blueprints.invitations import services as invitation_services
from blueprints.invitations.models import Invitation
from blueprints.members.models import Member, MemberCategory, MemberTag
from blueprints.members.services import refresh_search_text
from blueprints.orgs.models import Organisation, Partner, PartnerKind
from blueprints.rsvp import answers as rsvp_answers
from blueprints.rsvp import questionnaire as rsvp_questionnaire
from blueprints.rsvp import tickets
from blueprints.rsvp.models import QuestionKind, Registration, RegistrationStatus
from blueprints.surveys import answering as surveys_answering
from blueprints.surveys import services as survey_services
from blueprints.surveys.models import Survey, SurveyInvite
from core import i18n
from core.db import utcnow
from core.phones import normalise_phone
from core.roles import Role
from core.urls import external_url
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
    _staff(org)
    _members(org)
    _event(org, partners)
    db.session.flush()
    cast = _Cast.of(org, partners)
    _main_meeting_story(cast)
    _today_session(cast)
    _past_edition(cast)
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


# --------------------------------------------------------------------------- the story


@dataclass
class _Cast:
    """Who and what the story needs, looked up once."""

    org: Organisation
    partners: dict[str, Partner]
    members: dict[str, Member]
    organiser: User
    door: User
    main: Event

    @classmethod
    def of(cls, org: Organisation, partners: dict[str, Partner]) -> _Cast:
        members = {
            m.full_name: m
            for m in db.session.scalars(sa.select(Member).where(Member.organisation_id == org.id))
        }
        staff = {
            u.role: u
            for u in db.session.scalars(sa.select(User).where(User.organisation_id == org.id))
        }
        return cls(
            org, partners, members, staff[Role.ORGANISER], staff[Role.DOOR], _by_title(org, "")
        )


def _by_title(org: Organisation, suffix: str) -> Event | None:
    return db.session.scalar(
        sa.select(Event).where(
            Event.organisation_id == org.id, Event.title_fr == data.EVENT["title_fr"] + suffix
        )
    )


def _member_ids(cast: _Cast, names) -> list[int]:
    return [cast.members[name].id for name in names]


def _invitations_of(event: Event) -> dict[int, Invitation]:
    return {
        inv.member_id: inv
        for inv in db.session.scalars(sa.select(Invitation).where(Invitation.event_id == event.id))
    }


def _question_ids(event: Event) -> dict[str, int]:
    by_label = {q.label_fr: q.id for q in rsvp_questionnaire.questions_for(event.id)}
    return {
        spec["key"]: by_label[spec["label_fr"]]
        for spec in data.RSVP_QUESTIONS
        if spec["label_fr"] in by_label
    }


def _accept(invitation: Invitation, companions=(), answers=None, now=None) -> Registration:
    member = invitation.member
    return rsvp_answers.respond(
        invitation,
        rsvp_answers.RsvpData(
            accept=True,
            locale=member.locale,
            companion_names=list(companions),
            consent=True,
            answers=answers or {},
        ),
        now=now,
    )


def _main_meeting_story(cast: _Cast) -> None:
    """Questions, everyone invited (emails queued), about fifteen answers."""
    event, now = cast.main, utcnow()
    if event is None or event.status != EventStatus.PUBLISHED or event.ends_at <= now:
        return  # an old demo database whose meeting is over: leave it as it is
    if not rsvp_questionnaire.questions_for(event.id):
        for spec in data.RSVP_QUESTIONS:
            rsvp_questionnaire.add_question(
                event,
                rsvp_questionnaire.QuestionData(
                    kind=QuestionKind(spec["kind"]),
                    label_ar=spec["label_ar"],
                    label_fr=spec["label_fr"],
                    help_ar=spec["help_ar"],
                    help_fr=spec["help_fr"],
                    choices_ar=spec["choices_ar"],
                    choices_fr=spec["choices_fr"],
                    required=spec["required"],
                    is_concern=spec["is_concern"],
                ),
            )
    if not _invitations_of(event):
        invitation_services.invite(
            event, invitation_services.Audience(everyone=True), actor_id=cast.organiser.id
        )
    answered = db.session.scalar(
        sa.select(sa.func.count(Registration.id)).where(Registration.event_id == event.id)
    )
    if answered or not event.rsvp_open(now):
        return
    questions = _question_ids(event)
    invitations = _invitations_of(event)
    for spec in data.MAIN_RSVPS:
        member = cast.members[spec["name"]]
        invitation = invitations[member.id]
        if not spec["accept"]:
            rsvp_answers.respond(
                invitation,
                rsvp_answers.RsvpData(
                    accept=False, locale=member.locale, decline_reason=spec["reason"]
                ),
            )
            continue
        trade = data.TRADE_CHOICES.get(member.trade, data.OTHER_TRADE)
        answers = {questions["trade"]: str(trade), questions["damancom"]: spec["damancom"]}
        if spec.get("concern"):
            answers[questions["concern"]] = spec["concern"]
        _accept(invitation, spec["companions"], answers)


def _session_data(cast: _Cast, suffix: dict, start: datetime, capacity: int):
    """EventData for another session of the main meeting, starting at local `start`."""
    spec = data.EVENT
    shift = datetime.combine(start.date(), start.time()) - datetime.combine(
        start.date(), spec["start_time"]
    )
    return event_services.EventData(
        title_ar=spec["title_ar"] + suffix["ar"],
        title_fr=spec["title_fr"] + suffix["fr"],
        title_en=spec["title_en"],
        description_ar=spec["description_ar"],
        description_fr=spec["description_fr"],
        description_en=spec["description_en"],
        venue_name=f"{spec['venue_name_fr']} — {spec['venue_name_ar']}",
        venue_address=spec["venue_address"],
        map_url=spec["map_url"],
        starts_at=start,
        ends_at=start + timedelta(hours=4),
        capacity=capacity,
        max_companions=spec["max_companions"],
        cohost_ids=[cast.partners[key].id for key in spec["co_hosts"]],
        programme=[
            event_services.ProgrammeLine(
                starts_at=(datetime.combine(date.today(), item["time"]) + shift).time(),
                title_ar=item["title_ar"],
                title_fr=item["title_fr"],
                title_en=item["title_en"],
                speaker_ar=item["speaker_ar"],
                speaker_fr=item["speaker_fr"],
                speaker_en=item["speaker_en"],
            )
            for item in data.PROGRAMME
        ],
    )


def _today_session(cast: _Cast) -> None:
    """A session starting an hour after the first run: the door page works right away."""
    if _by_title(cast.org, data.TODAY_SUFFIX["fr"]) is not None:
        return  # made on the first run, with that run's date: kept as it is
    local_now = i18n.to_local(utcnow()).replace(tzinfo=None, second=0, microsecond=0)
    event = event_services.create_event(
        cast.org.id,
        _session_data(cast, data.TODAY_SUFFIX, local_now + timedelta(hours=1), data.TODAY_CAPACITY),
    )
    event_services.publish(event)
    names = [name for name, _ in data.TODAY_GUESTS]
    invitation_services.invite(
        event,
        invitation_services.Audience(member_ids=_member_ids(cast, names)),
        actor_id=cast.organiser.id,
    )
    invitations = _invitations_of(event)
    registrations = [
        _accept(invitations[cast.members[name].id], companions)
        for name, companions in data.TODAY_GUESTS
    ]
    for registration in registrations[: data.TODAY_CHECKED_IN]:
        admission.check_in(event, registration.ticket_code, "A", by_user=cast.door)


def _past_edition(cast: _Cast) -> None:
    """The same meeting a month before the first run, closed, surveyed and followed up."""
    if _by_title(cast.org, data.PAST_SUFFIX["fr"]) is not None:
        return
    today = i18n.to_local(utcnow()).date()
    day = today - timedelta(days=28)
    day -= timedelta(days=(day.weekday() - 3) % 7)  # a Thursday, four to five weeks ago
    start_local = datetime.combine(day, data.EVENT["start_time"])
    event = event_services.create_event(
        cast.org.id, _session_data(cast, data.PAST_SUFFIX, start_local, data.PAST_CAPACITY)
    )
    start, end = event.starts_at, event.ends_at
    invited_at = start - timedelta(days=14, hours=5)
    event_services.publish(event, now=invited_at)
    invitation_services.invite(
        event,
        invitation_services.Audience(member_ids=_member_ids(cast, data.PAST_GUESTS)),
        actor_id=cast.organiser.id,
        now=invited_at,
    )
    invitations = _invitations_of(event)
    registrations = {}
    for i, name in enumerate(data.PAST_GUESTS):
        answered_at = start - timedelta(days=13) + timedelta(hours=7 * i)
        registrations[name] = _accept(invitations[cast.members[name].id], now=answered_at)
    arrivals = [name for name in data.PAST_GUESTS if name not in data.PAST_NO_SHOWS]
    for i, name in enumerate(arrivals):
        arrived_at = start - timedelta(minutes=25) + timedelta(minutes=2 * i + i % 3)
        admission.check_in(
            event,
            registrations[name].ticket_code,
            "A" if i % 4 else "B",
            by_user=cast.door,
            now=arrived_at,
        )
    event_services.close(event)
    # Its invitations and tickets were for a month ago: not to be mailed today.
    invitations_delivery.cancel_queued(event)

    survey = survey_services.create_survey(event)
    survey_services.open_survey(survey, now=end + timedelta(hours=2))
    invites = list(
        db.session.scalars(
            sa.select(SurveyInvite)
            .where(SurveyInvite.survey_id == survey.id)
            .order_by(SurveyInvite.id)
        )
    )
    secret = current_app.config["SECRET_KEY"]
    questions = [q.id for q in survey.questions]
    for i, (invite, values) in enumerate(zip(invites, data.SURVEY_ANSWERS, strict=False)):
        answers = {qid: v for qid, v in zip(questions, values, strict=False) if v != ""}
        surveys_answering.submit_response(
            invite, answers, secret=secret, today=(end + timedelta(days=1 + i // 6)).date()
        )

    for spec in data.QA_CONCERNS:
        followup_services.record_concern(
            organisation_id=cast.org.id,
            event_id=event.id,
            text=spec["text"],
            source=FollowUpSource.ORGANISER,
            registration_id=registrations[spec["guest"]].id,
            question=spec["question"],
            created_by_id=cast.organiser.id,
        )
    db.session.flush()
    for spec in data.FOLLOWUP_WORK:
        followup = db.session.scalar(
            sa.select(FollowUp)
            .where(FollowUp.event_id == event.id, FollowUp.text.startswith(spec["text_starts"]))
            .limit(1)
        )
        if followup is None:
            continue
        followup_services.update_followup(
            followup,
            followup_services.FollowUpChange(
                status=FollowUpStatus(spec["status"]),
                partner_id=cast.partners[spec["partner"]].id,
                department=spec["department"],
                resolution=spec["resolution"],
            ),
            now=end + timedelta(days=spec["days_after"]),
        )


# --------------------------------------------------------------------------- what to try


def demo_links(org: Organisation) -> list[tuple[str, str]]:
    """The pages a new user can open right away, with real tokens of the demo data."""
    links = []
    main = _by_title(org, "")
    today = _by_title(org, data.TODAY_SUFFIX["fr"])
    past = _by_title(org, data.PAST_SUFFIX["fr"])
    if today is not None:
        links.append(
            ("Door page, today's session (door)", external_url(f"/door/events/{today.id}"))
        )
        code = db.session.scalar(
            sa.select(Registration.ticket_code)
            .where(
                Registration.event_id == today.id,
                Registration.status == RegistrationStatus.ACCEPTED,
                Registration.checked_in_at.is_(None),
                Registration.ticket_code.is_not(None),
            )
            .order_by(Registration.id)
            .limit(1)
        )
        if code:
            links.append(("A ticket to scan or open (today's session)", tickets.ticket_url(code)))
        links.append(
            ("Arrivals, today's session (organiser)", external_url(f"/events/{today.id}/arrivals"))
        )
    if main is not None:
        token = db.session.scalar(
            sa.select(Invitation.token)
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
        if token:
            links.append(
                ("An invitation to answer (main meeting)", invitation_services.rsvp_url(token))
            )
        links.append(
            (
                "Registrations, main meeting (organiser)",
                external_url(f"/events/{main.id}/registrations"),
            )
        )
    if past is not None:
        invite = db.session.scalar(
            sa.select(SurveyInvite.token)
            .join(Survey, Survey.id == SurveyInvite.survey_id)
            .where(Survey.event_id == past.id)
            .order_by(SurveyInvite.responded, SurveyInvite.id)
            .limit(1)
        )
        if invite:
            links.append(("A survey to answer (past edition)", external_url(f"/s/{invite}")))
        links.append(
            (
                "Survey results, past edition (organiser)",
                external_url(f"/events/{past.id}/survey/results"),
            )
        )
    links.append(("Follow-up board (organiser)", external_url("/followups")))
    return links
