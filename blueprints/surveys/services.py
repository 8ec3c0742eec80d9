"""Surveys: create, edit, schedule, answer, count. Plain values in, domain errors out.

Services only flush; the caller commits once.
"""

from __future__ import annotations

import hashlib
import hmac
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from blueprints.events.models import Event
from blueprints.rsvp.models import Companion, Registration
from blueprints.surveys import defaults
from blueprints.surveys.models import (
    CHOICE_KINDS,
    NUMBER_KINDS,
    TEXT_KINDS,
    QuestionKind,
    Survey,
    SurveyInvite,
    SurveyQuestion,
    SurveyResponse,
    SurveyStatus,
)
from core.db import utcnow
from core.i18n import localized
from core.outbox import OutboxMessage, OutboxState, enqueue
from core.signals import concern_raised
from extensions import db

INVITE_KIND = "survey_invite"
REMINDER_KIND = "survey_reminder"
MAX_TEXT = {QuestionKind.SHORT_TEXT: 300, QuestionKind.LONG_TEXT: 5000}


class SurveyError(Exception):
    pass


class SurveyClosed(SurveyError):
    pass


# --------------------------------------------------------------------------- the survey


def survey_for(event: Event) -> Survey | None:
    return db.session.scalar(
        sa.select(Survey).where(
            Survey.event_id == event.id, Survey.organisation_id == event.organisation_id
        )
    )


def create_survey(event: Event) -> Survey:
    """The event's survey from the default template (a second call returns the first)."""
    existing = survey_for(event)
    if existing is not None:
        return existing
    survey = Survey(
        organisation_id=event.organisation_id,
        event_id=event.id,
        title_ar=defaults.TITLE["ar"],
        title_fr=defaults.TITLE["fr"],
        intro_ar=defaults.INTRO["ar"],
        intro_fr=defaults.INTRO["fr"],
    )
    for position, (kind, required, concern, label_ar, label_fr) in enumerate(defaults.QUESTIONS):
        survey.questions.append(
            SurveyQuestion(
                organisation_id=event.organisation_id,
                position=position,
                kind=kind,
                required=required,
                is_concern=concern,
                label_ar=label_ar,
                label_fr=label_fr,
            )
        )
    db.session.add(survey)
    db.session.flush()
    return survey


def response_count(survey: Survey) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(SurveyResponse.id)).where(SurveyResponse.survey_id == survey.id)
    )


@dataclass
class SurveySettings:
    anonymous: bool
    delay_hours: int
    reminder_days: int
    title_ar: str = ""
    title_fr: str = ""
    intro_ar: str = ""
    intro_fr: str = ""


def update_settings(survey: Survey, settings: SurveySettings, now: datetime | None = None) -> None:
    if settings.anonymous != survey.anonymous and response_count(survey):
        # Switching would either expose past answers or lose their link silently.
        raise SurveyError(_l("The survey already has answers: anonymity can no longer change."))
    for name in ("anonymous", "delay_hours", "reminder_days"):
        setattr(survey, name, getattr(settings, name))
    for name in ("title_ar", "title_fr", "intro_ar", "intro_fr"):
        setattr(survey, name, (getattr(settings, name) or "").strip())
    db.session.flush()
    schedule_survey(survey, now)


def open_survey(survey: Survey, now: datetime | None = None) -> int:
    if not survey.questions:
        raise SurveyError(_l("Add at least one question before opening the survey."))
    now = now or utcnow()
    survey.status = SurveyStatus.OPEN
    survey.opened_at = survey.opened_at or now
    survey.closed_at = None
    db.session.flush()
    return schedule_survey(survey, now)


def close_survey(survey: Survey, now: datetime | None = None) -> None:
    """No more answers; invitations and reminders still queued are cancelled."""
    survey.status = SurveyStatus.CLOSED
    survey.closed_at = now or utcnow()
    db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.key.like(f"survey:{survey.id}:%"),
            OutboxMessage.state == OutboxState.QUEUED,
        )
        .values(state=OutboxState.CANCELLED)
    )
    db.session.flush()


def send_now(survey: Survey, now: datetime | None = None) -> int:
    """Open the survey if needed and send it now instead of after the delay."""
    now = now or utcnow()
    if survey.status == SurveyStatus.CLOSED:
        raise SurveyError(_l("The survey is closed. Open it again first."))
    survey.send_now_at = now
    if survey.status == SurveyStatus.DRAFT:
        return open_survey(survey, now)
    return schedule_survey(survey, now)


# --------------------------------------------------------------------------- the schedule


def scheduled_at(survey: Survey) -> datetime:
    """When invitations are due: the event's end plus the delay, or earlier if sent now."""
    planned = survey.event.ends_at + timedelta(hours=survey.delay_hours)
    if survey.send_now_at is not None and survey.send_now_at < planned:
        return survey.send_now_at
    return planned


@dataclass(frozen=True)
class Attendee:
    person_key: str
    registration_id: int
    companion_id: int | None
    email: str
    full_name: str
    locale: str


def attendees(event: Event) -> list[Attendee]:
    """Everyone checked in at the event who has an email: attendees and their companions."""
    registrations = db.session.scalars(
        sa.select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.organisation_id == event.organisation_id,
            Registration.checked_in_at.is_not(None),
        )
        .order_by(Registration.id)
    )
    people: list[Attendee] = []
    for registration in registrations:
        locale = registration.locale if registration.locale in ("ar", "fr") else "ar"
        if registration.email:
            people.append(
                Attendee(
                    f"r:{registration.id}",
                    registration.id,
                    None,
                    registration.email.strip().lower(),
                    registration.full_name,
                    locale,
                )
            )
        for companion in registration.companion_list:
            if companion.email:
                people.append(
                    Attendee(
                        f"c:{companion.id}",
                        registration.id,
                        companion.id,
                        companion.email.strip().lower(),
                        companion.full_name,
                        locale,
                    )
                )
    return people


def invite_key(invite: SurveyInvite) -> str:
    return f"survey:{invite.survey_id}:invite:{invite.id}"


def reminder_key(invite: SurveyInvite) -> str:
    return f"survey:{invite.survey_id}:reminder:{invite.id}"


def schedule_survey(survey: Survey, now: datetime | None = None) -> int:
    """Make sure every checked-in person has an invitation queued; returns how many were new.

    Idempotent: the outbox key `survey:<id>:invite:<invite id>` is queued once. Invitations
    not yet due follow a changed delay or "send now".
    """
    if survey.status != SurveyStatus.OPEN:
        return 0
    now = now or utcnow()
    due = scheduled_at(survey)
    existing = {
        invite.person_key: invite
        for invite in db.session.scalars(
            sa.select(SurveyInvite).where(SurveyInvite.survey_id == survey.id)
        )
    }
    queued = 0
    for person in attendees(survey.event):
        invite = existing.get(person.person_key)
        if invite is None:
            invite = _new_invite(survey, person, max(due, now), now)
            if invite is None:
                continue
        elif invite.send_at > now and invite.send_at != max(due, now):
            invite.send_at = max(due, now)
            db.session.execute(
                sa.update(OutboxMessage)
                .where(
                    OutboxMessage.key == invite_key(invite),
                    OutboxMessage.state == OutboxState.QUEUED,
                )
                .values(send_after=invite.send_at)
            )
        message = enqueue(
            db.session,
            key=invite_key(invite),
            kind=INVITE_KIND,
            to_email=invite.email,
            to_name=invite.full_name,
            locale=invite.locale,
            payload={"invite_id": invite.id},
            send_after=invite.send_at,
            organisation_id=survey.organisation_id,
            subject=("survey_invite", invite.id),
        )
        queued += message is not None
    db.session.flush()
    return queued


def _new_invite(survey, person: Attendee, send_at: datetime, now: datetime):
    invite = SurveyInvite(
        organisation_id=survey.organisation_id,
        survey_id=survey.id,
        person_key=person.person_key,
        registration_id=person.registration_id,
        companion_id=person.companion_id,
        email=person.email,
        full_name=person.full_name,
        locale=person.locale,
        send_at=send_at,
        created_at=now,
    )
    try:
        with db.session.begin_nested():  # a concurrent tick made it first: use theirs
            db.session.add(invite)
    except IntegrityError:
        return db.session.scalar(
            sa.select(SurveyInvite).where(
                SurveyInvite.survey_id == survey.id,
                SurveyInvite.person_key == person.person_key,
            )
        )
    return invite


def queue_reminders(survey: Survey, now: datetime | None = None) -> int:
    """One reminder, `reminder_days` after the invitation, to those who have not answered."""
    if survey.status != SurveyStatus.OPEN or survey.reminder_days <= 0:
        return 0
    now = now or utcnow()
    cutoff = now - timedelta(days=survey.reminder_days)
    invites = db.session.scalars(
        sa.select(SurveyInvite).where(
            SurveyInvite.survey_id == survey.id,
            SurveyInvite.responded.is_(False),
            SurveyInvite.send_at <= cutoff,
        )
    )
    queued = 0
    for invite in invites:
        message = enqueue(
            db.session,
            key=reminder_key(invite),
            kind=REMINDER_KIND,
            to_email=invite.email,
            to_name=invite.full_name,
            locale=invite.locale,
            payload={"invite_id": invite.id},
            send_after=now,
            organisation_id=survey.organisation_id,
            subject=("survey_invite", invite.id),
        )
        queued += message is not None
    db.session.flush()
    return queued


def tick(now: datetime | None = None) -> tuple[int, int]:
    """For every open survey: queue invitations still missing, then due reminders."""
    now = now or utcnow()
    invitations = reminders = 0
    for survey in db.session.scalars(
        sa.select(Survey).where(Survey.status == SurveyStatus.OPEN).order_by(Survey.id)
    ):
        invitations += schedule_survey(survey, now)
        reminders += queue_reminders(survey, now)
    return invitations, reminders


# --------------------------------------------------------------------------- answering


def invite_by_token(token: str) -> SurveyInvite | None:
    """The invite behind a personal link (any organisation: the link is the credential)."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(sa.select(SurveyInvite).where(SurveyInvite.token == token))


def respondent_key(token: str, secret: str) -> str:
    """Keyed hash of the link: one response per link, not computable from the database."""
    return hmac.new(
        secret.encode(), f"survey-response|{token}".encode(), hashlib.sha256
    ).hexdigest()


def response_of(invite: SurveyInvite, secret: str) -> SurveyResponse | None:
    return db.session.scalar(
        sa.select(SurveyResponse).where(
            SurveyResponse.survey_id == invite.survey_id,
            SurveyResponse.respondent_key == respondent_key(invite.token, secret),
        )
    )


def clean_answers(survey: Survey, answers: dict) -> dict[str, object]:
    """Keep only answers to this survey's questions, of the right type and size."""
    clean: dict[str, object] = {}
    for question in survey.questions:
        value = answers.get(question.id, answers.get(str(question.id)))
        if value is None or value == "" or value == []:
            continue
        kind = question.kind
        if kind in NUMBER_KINDS:
            low, high = (1, 5) if kind == QuestionKind.RATING else (0, 10)
            if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
                clean[str(question.id)] = value
        elif kind == QuestionKind.YES_NO:
            if isinstance(value, bool):
                clean[str(question.id)] = value
        elif kind in CHOICE_KINDS:
            count = len(question.choices("fr"))
            picked = value if isinstance(value, list) else [value]
            indexes = sorted({v for v in picked if isinstance(v, int) and 0 <= v < count})
            if indexes:
                clean[str(question.id)] = indexes if kind == QuestionKind.MULTIPLE else indexes[0]
        elif kind in TEXT_KINDS and isinstance(value, str) and value.strip():
            clean[str(question.id)] = value.strip()[: MAX_TEXT[kind]]
    return clean


def submit_response(
    invite: SurveyInvite, answers: dict, *, secret: str, today: date | None = None
) -> SurveyResponse:
    """Record or replace this person's answers: one response per link, even when racing."""
    survey = invite.survey
    if survey.status != SurveyStatus.OPEN:
        raise SurveyClosed(_l("This survey is closed. Thank you."))
    clean = clean_answers(survey, answers)
    key = respondent_key(invite.token, secret)
    response = response_of(invite, secret)
    if response is None:
        response = SurveyResponse(
            organisation_id=survey.organisation_id,
            survey_id=survey.id,
            respondent_key=key,
            answered_on=today or utcnow().date(),
            answers={},
        )
        try:
            with db.session.begin_nested():
                db.session.add(response)
        except IntegrityError:  # the same person submitted twice at once: update theirs
            response = response_of(invite, secret)
            if response is None:  # pragma: no cover - the unique row must exist now
                raise
    previous = dict(response.answers or {})
    response.answers = clean
    if not survey.anonymous:
        response.registration_id = invite.registration_id
        response.companion_id = invite.companion_id
    invite.responded = True
    # The reminder is pointless now.
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.key == reminder_key(invite), OutboxMessage.state == OutboxState.QUEUED)
        .values(state=OutboxState.CANCELLED)
    )
    db.session.flush()
    _raise_concerns(survey, invite, clean, previous)
    return response


def _raise_concerns(survey: Survey, invite: SurveyInvite, new: dict, old: dict) -> None:
    for question in survey.questions:
        if not question.is_concern:
            continue
        text = new.get(str(question.id))
        if isinstance(text, str) and text and text != old.get(str(question.id)):
            concern_raised.send(
                None,
                organisation_id=survey.organisation_id,
                event_id=survey.event_id,
                text=text,
                source="survey",
                registration_id=None if survey.anonymous else invite.registration_id,
                question=question.label_fr or question.label_ar,
            )


# --------------------------------------------------------------------------- the editor


@dataclass
class QuestionData:
    kind: QuestionKind
    label_ar: str
    label_fr: str
    required: bool = False
    is_concern: bool = False
    choices_ar: str = ""
    choices_fr: str = ""


def _check_question(data: QuestionData) -> None:
    if not data.label_ar.strip() and not data.label_fr.strip():
        raise SurveyError(_l("Give the question a label in Arabic or French."))
    if data.kind in CHOICE_KINDS:
        ar = [c for c in data.choices_ar.splitlines() if c.strip()]
        fr = [c for c in data.choices_fr.splitlines() if c.strip()]
        if max(len(ar), len(fr)) < 2:
            raise SurveyError(_l("A choice question needs at least two choices."))
        if ar and fr and len(ar) != len(fr):
            raise SurveyError(_l("Give as many choices in Arabic as in French, in the same order."))
    if data.is_concern and data.kind not in TEXT_KINDS:
        raise SurveyError(_l("Only a text question can collect concerns to follow up."))


def add_question(survey: Survey, data: QuestionData) -> SurveyQuestion:
    _check_question(data)
    position = max((q.position for q in survey.questions), default=-1) + 1
    question = SurveyQuestion(organisation_id=survey.organisation_id, position=position)
    _apply(question, data)
    survey.questions.append(question)
    db.session.flush()
    return question


def update_question(question: SurveyQuestion, data: QuestionData) -> None:
    _check_question(data)
    if data.kind != question.kind and response_count(question.survey):
        raise SurveyError(_l("The survey already has answers: the kind of question is fixed."))
    _apply(question, data)
    db.session.flush()


def _apply(question: SurveyQuestion, data: QuestionData) -> None:
    question.kind = data.kind
    question.label_ar = data.label_ar.strip()
    question.label_fr = data.label_fr.strip()
    question.required = data.required
    question.is_concern = data.is_concern
    keep = data.kind in CHOICE_KINDS
    question.choices_ar = "\n".join(c.strip() for c in data.choices_ar.splitlines() if c.strip())
    question.choices_fr = "\n".join(c.strip() for c in data.choices_fr.splitlines() if c.strip())
    if not keep:
        question.choices_ar = question.choices_fr = ""


def delete_question(question: SurveyQuestion) -> None:
    survey = question.survey
    survey.questions.remove(question)
    _renumber(survey)


def move_question(question: SurveyQuestion, step: int) -> None:
    survey = question.survey
    ordered = list(survey.questions)
    index = ordered.index(question)
    target = max(0, min(len(ordered) - 1, index + step))
    ordered.insert(target, ordered.pop(index))
    for position, item in enumerate(ordered):
        item.position = position
    db.session.flush()


def _renumber(survey: Survey) -> None:
    for position, item in enumerate(survey.questions):
        item.position = position
    db.session.flush()


# --------------------------------------------------------------------------- results


def mean(values: list[int]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def median(values: list[int]) -> float | None:
    return statistics.median(values) if values else None


def nps(values: list[int]) -> int | None:
    """Net promoter score: % of 9-10 minus % of 0-6, from -100 to 100."""
    if not values:
        return None
    promoters = sum(1 for v in values if v >= 9)
    detractors = sum(1 for v in values if v <= 6)
    return round(100 * (promoters - detractors) / len(values))


@dataclass
class Bar:
    label: str
    count: int
    share: float  # 0..1 of those who answered the question


@dataclass
class QuestionResult:
    question: SurveyQuestion
    label: str
    answered: int = 0
    bars: list[Bar] = field(default_factory=list)
    mean: float | None = None
    median: float | None = None
    nps: int | None = None
    texts: list[str] = field(default_factory=list)


@dataclass
class SurveyResults:
    invited: int
    sent: int
    responses: int
    rate: float | None  # answered / sent
    questions: list[QuestionResult]


def responses_for(survey: Survey, *, category: str = "", trade: str = "") -> list[SurveyResponse]:
    stmt = sa.select(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id,
        SurveyResponse.organisation_id == survey.organisation_id,
    )
    if not survey.anonymous and (category or trade):
        stmt = stmt.join(Registration, Registration.id == SurveyResponse.registration_id)
        if category:
            stmt = stmt.where(Registration.category == category)
        if trade:
            stmt = stmt.where(Registration.trade == trade)
    # Random ids: sorting by them shows the answers in no meaningful order.
    return list(db.session.scalars(stmt.order_by(SurveyResponse.id)))


def sent_count(survey: Survey) -> int:
    """People who got the link: their invitation email left, or they answered (whoever
    answered had the link, even if the email is still queued, e.g. in the demo data)."""
    prefix = f"survey:{survey.id}:invite:"
    sent_keys = db.session.scalars(
        sa.select(OutboxMessage.key).where(
            OutboxMessage.key.like(f"{prefix}%"), OutboxMessage.state == OutboxState.SENT
        )
    )
    reached = {
        int(key.removeprefix(prefix)) for key in sent_keys if key.removeprefix(prefix).isdigit()
    }
    reached.update(
        db.session.scalars(
            sa.select(SurveyInvite.id).where(
                SurveyInvite.survey_id == survey.id, SurveyInvite.responded
            )
        )
    )
    return len(reached)


def yes_no_labels() -> tuple[str, str]:
    return str(_l("Yes")), str(_l("No"))


def compute_results(
    survey: Survey, locale: str, *, category: str = "", trade: str = "", search: str = ""
) -> SurveyResults:
    with force_locale(locale):
        return _compute_results(survey, locale, category=category, trade=trade, search=search)


def _compute_results(
    survey: Survey, locale: str, *, category: str, trade: str, search: str
) -> SurveyResults:
    responses = responses_for(survey, category=category, trade=trade)
    invited = db.session.scalar(
        sa.select(sa.func.count(SurveyInvite.id)).where(SurveyInvite.survey_id == survey.id)
    )
    sent = sent_count(survey)
    needle = search.strip().casefold()
    results = []
    for question in survey.questions:
        key = str(question.id)
        values = [r.answers[key] for r in responses if key in (r.answers or {})]
        result = QuestionResult(question, localized(question, "label", locale), len(values))
        if question.kind in NUMBER_KINDS:
            numbers = [v for v in values if isinstance(v, int)]
            scale = range(1, 6) if question.kind == QuestionKind.RATING else range(0, 11)
            result.bars = _bars([(str(n), numbers.count(n)) for n in scale], len(numbers))
            result.mean, result.median = mean(numbers), median(numbers)
            if question.kind == QuestionKind.SCALE:
                result.nps = nps(numbers)
        elif question.kind == QuestionKind.YES_NO:
            yes, no = yes_no_labels()
            result.bars = _bars([(yes, values.count(True)), (no, values.count(False))], len(values))
        elif question.kind in CHOICE_KINDS:
            labels = question.choices(locale)
            flat = [i for v in values for i in (v if isinstance(v, list) else [v])]
            result.bars = _bars([(lab, flat.count(i)) for i, lab in enumerate(labels)], len(values))
        else:
            texts = sorted((v for v in values if isinstance(v, str)), key=str.casefold)
            result.texts = [t for t in texts if needle in t.casefold()] if needle else texts
        results.append(result)
    rate = (len(responses) / sent) if sent else None
    return SurveyResults(invited, sent, len(responses), rate, results)


def _bars(pairs: list[tuple[str, int]], answered: int) -> list[Bar]:
    return [Bar(label, count, (count / answered) if answered else 0.0) for label, count in pairs]


def answer_text(question: SurveyQuestion, value, locale: str) -> str:
    """An answer as a spreadsheet cell shows it."""
    if value is None:
        return ""
    if question.kind == QuestionKind.YES_NO:
        yes, no = yes_no_labels()
        return yes if value else no
    if question.kind in CHOICE_KINDS:
        labels = question.choices(locale)
        picked = value if isinstance(value, list) else [value]
        return "; ".join(labels[i] for i in picked if isinstance(i, int) and i < len(labels))
    return str(value)


def export_rows(survey: Survey, locale: str, *, category: str = "", trade: str = ""):
    """Header and rows: one row per response, one column per question."""
    with force_locale(locale):
        return _export_rows(survey, locale, category=category, trade=trade)


def _export_rows(survey: Survey, locale: str, *, category: str, trade: str):
    header = [str(_l("Day"))]
    if not survey.anonymous:
        header += [str(_l("Name")), str(_l("Company")), str(_l("Trade")), str(_l("Category"))]
    header += [localized(q, "label", locale) for q in survey.questions]
    registrations = {}
    responses = responses_for(survey, category=category, trade=trade)
    if not survey.anonymous:
        ids = {r.registration_id for r in responses if r.registration_id}
        if ids:
            registrations = {
                reg.id: reg
                for reg in db.session.scalars(
                    sa.select(Registration).where(
                        Registration.id.in_(ids),
                        Registration.organisation_id == survey.organisation_id,
                    )
                )
            }
    companions = {}
    if not survey.anonymous:
        ids = {r.companion_id for r in responses if r.companion_id}
        if ids:
            companions = {
                c.id: c
                for c in db.session.scalars(sa.select(Companion).where(Companion.id.in_(ids)))
            }
    rows = []
    for response in sorted(responses, key=lambda r: (r.answered_on, r.id)):
        row: list = [response.answered_on.isoformat()]
        if not survey.anonymous:
            reg = registrations.get(response.registration_id)
            companion = companions.get(response.companion_id)
            name = companion.full_name if companion else (reg.full_name if reg else "")
            row += [
                name,
                reg.company if reg else "",
                reg.trade if reg else "",
                reg.category.value if reg else "",
            ]
        for question in survey.questions:
            row.append(
                answer_text(question, (response.answers or {}).get(str(question.id)), locale)
            )
        rows.append(row)
    return header, rows


def filter_options(survey: Survey) -> tuple[list[str], list[str]]:
    """Categories and trades of identified respondents, for the results filters."""
    if survey.anonymous:
        return [], []
    rows = db.session.execute(
        sa.select(Registration.category, Registration.trade)
        .join(SurveyResponse, SurveyResponse.registration_id == Registration.id)
        .where(SurveyResponse.survey_id == survey.id)
        .distinct()
    ).all()
    categories = sorted({r.category.value for r in rows})
    trades = sorted({r.trade for r in rows if r.trade})
    return categories, trades
