"""Results: figures per question (mean, median, NPS, bars), filters and the export."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from blueprints.rsvp.models import Companion, Registration
from blueprints.surveys.models import (
    CHOICE_KINDS,
    NUMBER_KINDS,
    QuestionKind,
    Survey,
    SurveyInvite,
    SurveyQuestion,
    SurveyResponse,
)
from core.i18n import localized
from core.outbox import OutboxMessage, OutboxState
from extensions import db


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
    too_few: bool = False  # a breakdown of fewer than MIN_GROUP people: nothing shown


# A breakdown (by category, trade…) of fewer people than this is never shown: one answer
# could be singled out.
MIN_GROUP = 5


def responses_for(survey: Survey, *, category: str = "", trade: str = "") -> list[SurveyResponse]:
    """The responses, in the order of their random ids; a breakdown of fewer than MIN_GROUP
    people gives none."""
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
    found = list(db.session.scalars(stmt.order_by(SurveyResponse.id)))
    if (category or trade) and len(found) < MIN_GROUP:
        return []
    return found


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
    too_few = bool(category or trade) and not responses
    return SurveyResults(invited, sent, len(responses), rate, results, too_few)


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
    """Header and rows: one row per response, one column per question. The rows are a
    generator reading the responses (with their registration and companion) in pages
    while the file is sent, for `core.exports.send`: never all in memory."""
    with force_locale(locale):
        header = [str(_l("Day"))]
        if not survey.anonymous:
            header += [str(_l("Name")), str(_l("Company")), str(_l("Trade")), str(_l("Category"))]
    header += [localized(q, "label", locale) for q in survey.questions]
    return header, _export_lines(survey, locale, category=category, trade=trade)


def _export_lines(survey: Survey, locale: str, *, category: str, trade: str):
    questions = list(survey.questions)
    where = [
        SurveyResponse.survey_id == survey.id,
        SurveyResponse.organisation_id == survey.organisation_id,
    ]
    if survey.anonymous:
        stmt = sa.select(SurveyResponse, sa.null(), sa.null()).where(*where)
    else:
        stmt = (
            sa.select(SurveyResponse, Registration, Companion)
            .outerjoin(
                Registration,
                sa.and_(
                    Registration.id == SurveyResponse.registration_id,
                    Registration.organisation_id == survey.organisation_id,
                ),
            )
            .outerjoin(Companion, Companion.id == SurveyResponse.companion_id)
            .where(*where)
        )
        if category:
            stmt = stmt.where(Registration.category == category)
        if trade:
            stmt = stmt.where(Registration.trade == trade)
    if (category or trade) and _count(stmt) < MIN_GROUP:
        return  # a breakdown of too few people gives none
    stmt = stmt.order_by(SurveyResponse.answered_on, SurveyResponse.id)
    with force_locale(locale):
        for response, reg, companion in db.session.execute(stmt.execution_options(yield_per=500)):
            row: list = [response.answered_on.isoformat()]
            if not survey.anonymous:
                name = companion.full_name if companion else (reg.full_name if reg else "")
                row += [
                    name,
                    reg.company if reg else "",
                    reg.trade if reg else "",
                    reg.category.value if reg else "",
                ]
            answers = response.answers or {}
            row += [answer_text(q, answers.get(str(q.id)), locale) for q in questions]
            yield row


def _count(stmt) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0


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
