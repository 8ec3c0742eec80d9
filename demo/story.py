"""The demo's story: what each feature has done so far around the three meetings, told
through the features' own services (answers, admissions, a survey, follow-ups)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from blueprints.auth.models import User
from blueprints.checkin import admission
from blueprints.events import services as event_services
from blueprints.events.models import Event, EventStatus
from blueprints.followups import services as followup_services
from blueprints.followups import thread as followup_thread
from blueprints.followups.models import FollowUp, FollowUpSource, FollowUpStatus, MessageOutcome
from blueprints.invitations import delivery as invitations_delivery
from blueprints.invitations import services as invitation_services
from blueprints.invitations.models import Invitation
from blueprints.members.models import Member
from blueprints.orgs.models import Organisation, Partner
from blueprints.reports import press
from blueprints.rsvp import answers as rsvp_answers
from blueprints.rsvp import questionnaire as rsvp_questionnaire
from blueprints.rsvp.models import QuestionKind, Registration
from blueprints.surveys import answering as surveys_answering
from blueprints.surveys import services as survey_services
from blueprints.surveys.models import SurveyInvite
from core import i18n
from core.db import utcnow
from core.roles import Role
from demo import around, data
from extensions import db


@dataclass
class Cast:
    """Who and what the story needs, looked up once."""

    org: Organisation
    partners: dict[str, Partner]
    members: dict[str, Member]
    organiser: User
    door: User
    main: Event

    @classmethod
    def of(cls, org: Organisation, partners: dict[str, Partner]) -> Cast:
        members = {
            m.full_name: m
            for m in db.session.scalars(sa.select(Member).where(Member.organisation_id == org.id))
        }
        staff = {
            u.role: u
            for u in db.session.scalars(sa.select(User).where(User.organisation_id == org.id))
        }
        return cls(
            org, partners, members, staff[Role.ORGANISER], staff[Role.DOOR], by_title(org, "")
        )


def by_title(org: Organisation, suffix: str) -> Event | None:
    return db.session.scalar(
        sa.select(Event).where(
            Event.organisation_id == org.id, Event.title_fr == data.EVENT["title_fr"] + suffix
        )
    )


def _member_ids(cast: Cast, names) -> list[int]:
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
        for spec in around.RSVP_QUESTIONS
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


def main_meeting_story(cast: Cast) -> None:
    """Questions, everyone invited (emails queued), about fifteen answers."""
    event, now = cast.main, utcnow()
    if event is None or event.status != EventStatus.PUBLISHED or event.ends_at <= now:
        return  # an old demo database whose meeting is over: leave it as it is
    if not rsvp_questionnaire.questions_for(event.id):
        for spec in around.RSVP_QUESTIONS:
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
    for spec in around.MAIN_RSVPS:
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
        trade = around.TRADE_CHOICES.get(member.trade, around.OTHER_TRADE)
        answers = {questions["trade"]: str(trade), questions["damancom"]: spec["damancom"]}
        if spec.get("concern"):
            answers[questions["concern"]] = spec["concern"]
        _accept(invitation, spec["companions"], answers)


def _session_data(cast: Cast, suffix: dict, start: datetime, capacity: int):
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
        venue_name=spec["venue_name_fr"],
        venue_name_ar=spec["venue_name_ar"],
        venue_name_fr=spec["venue_name_fr"],
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


def today_session(cast: Cast) -> None:
    """A session starting an hour after the first run: the door page works right away."""
    if by_title(cast.org, around.TODAY_SUFFIX["fr"]) is not None:
        return  # made on the first run, with that run's date: kept as it is
    local_now = i18n.to_local(utcnow()).replace(tzinfo=None, second=0, microsecond=0)
    event = event_services.create_event(
        cast.org.id,
        _session_data(
            cast, around.TODAY_SUFFIX, local_now + timedelta(hours=1), around.TODAY_CAPACITY
        ),
    )
    event_services.publish(event)
    names = [name for name, _ in around.TODAY_GUESTS]
    invitation_services.invite(
        event,
        invitation_services.Audience(member_ids=_member_ids(cast, names)),
        actor_id=cast.organiser.id,
    )
    invitations = _invitations_of(event)
    registrations = [
        _accept(invitations[cast.members[name].id], companions)
        for name, companions in around.TODAY_GUESTS
    ]
    for registration in registrations[: around.TODAY_CHECKED_IN]:
        admission.check_in(event, registration.ticket_code, "A", by_user=cast.door)


def past_edition(cast: Cast) -> None:
    """The same meeting a month before the first run, closed, surveyed and followed up."""
    if by_title(cast.org, around.PAST_SUFFIX["fr"]) is not None:
        return
    today = i18n.to_local(utcnow()).date()
    day = today - timedelta(days=28)
    day -= timedelta(days=(day.weekday() - 3) % 7)  # a Thursday, four to five weeks ago
    start_local = datetime.combine(day, data.EVENT["start_time"])
    event = event_services.create_event(
        cast.org.id, _session_data(cast, around.PAST_SUFFIX, start_local, around.PAST_CAPACITY)
    )
    start, end = event.starts_at, event.ends_at
    invited_at = start - timedelta(days=14, hours=5)
    event_services.publish(event, now=invited_at)
    invitation_services.invite(
        event,
        invitation_services.Audience(member_ids=_member_ids(cast, around.PAST_GUESTS)),
        actor_id=cast.organiser.id,
        now=invited_at,
    )
    invitations = _invitations_of(event)
    registrations = {}
    for i, name in enumerate(around.PAST_GUESTS):
        answered_at = start - timedelta(days=13) + timedelta(hours=7 * i)
        registrations[name] = _accept(invitations[cast.members[name].id], now=answered_at)
    arrivals = [name for name in around.PAST_GUESTS if name not in around.PAST_NO_SHOWS]
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
    questions = [q.id for q in survey.questions]
    for i, (invite, values) in enumerate(zip(invites, around.SURVEY_ANSWERS, strict=False)):
        answers = {qid: v for qid, v in zip(questions, values, strict=False) if v != ""}
        surveys_answering.submit_response(
            invite, answers, today=(end + timedelta(days=1 + i // 6)).date()
        )

    for spec in around.QA_CONCERNS:
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
    # Raised at the meeting's questions and answers, or in the survey the day after: dated
    # then, not today, so the board's ages and answer times count from there.
    for followup in db.session.scalars(sa.select(FollowUp).where(FollowUp.event_id == event.id)):
        raised_at_the_meeting = followup.source == FollowUpSource.ORGANISER
        followup.created_at = (
            start + timedelta(hours=2) if raised_at_the_meeting else end + timedelta(days=1)
        )
    for spec in around.FOLLOWUP_WORK:
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
    _partner_asks_for_documents(cast, event, end)
    if not event.report_notes:
        event.report_notes = around.PAST_REPORT_NOTES
    db.session.flush()
    for language in press.RELEASE_LANGUAGES:  # the press release drafts, kept with the event
        if press.stored(event, language) is None:
            press.regenerate(event, language, confirmed=True)


def _partner_asks_for_documents(cast: Cast, event: Event, end) -> None:
    """The CNSS account answered one concern: it needs the member's documents."""
    spec = around.PARTNER_ANSWER
    followup = db.session.scalar(
        sa.select(FollowUp)
        .where(FollowUp.event_id == event.id, FollowUp.text.startswith(spec["text_starts"]))
        .limit(1)
    )
    agent = db.session.scalar(
        sa.select(User).where(User.organisation_id == cast.org.id, User.role == Role.PARTNER)
    )
    if followup is None or agent is None or followup.messages:
        return
    followup_thread.answer(
        followup, agent, spec["body"], "ar", MessageOutcome.NEEDS_DOCUMENTS,
        now=end + timedelta(days=spec["days_after"]),
    )  # fmt: skip
