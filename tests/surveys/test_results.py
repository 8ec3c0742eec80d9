"""Results on a known set of answers: counts, mean, median, NPS; exports and the report."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from blueprints.surveys import answering as surveys_answering
from blueprints.surveys import editor as surveys_editor
from blueprints.surveys import results as surveys_results
from blueprints.surveys import services
from blueprints.surveys.models import QuestionKind, SurveyInvite, SurveyQuestion
from core.outbox import OutboxMessage, OutboxState
from extensions import db
from tests.conftest import make_event, make_org
from tests.surveys.conftest import make_registration, open_survey, question_of

HOSTILE = '=HYPERLINK("http://evil")<script>alert(1)</script>\u202e'
RATINGS = [5, 4, 4, 3, 1]  # mean 3.4, median 4
SCALES = [10, 9, 8, 7, 6]  # 2 promoters, 1 detractor of 5: NPS 20


def test_arithmetic_helpers():
    assert surveys_results.mean([5, 4, 4, 3, 1]) == 3.4
    assert surveys_results.median([5, 4, 4, 3, 1]) == 4
    assert surveys_results.median([1, 2, 3, 4]) == 2.5
    assert surveys_results.nps([10, 9, 8, 7, 6]) == 20
    assert surveys_results.nps([0, 0, 10]) == -33
    assert surveys_results.nps([]) is None and surveys_results.mean([]) is None


@pytest.fixture
def answered(app, survey, past_event):
    """Five attendees answered; three more were sent the survey and did not."""
    scale = surveys_editor.add_question(
        survey, surveys_editor.QuestionData(QuestionKind.SCALE, "من 0 إلى 10", "De 0 à 10")
    )
    choice = surveys_editor.add_question(
        survey,
        surveys_editor.QuestionData(
            QuestionKind.MULTIPLE,
            "المواضيع",
            "Sujets",
            choices_ar="التغطية الصحية\nDamancom\nالضرائب",
            choices_fr="Couverture santé\nDamancom\nImpôts",
        ),
    )
    db.session.commit()
    for n in range(8):
        make_registration(past_event, f"Person {n}", email=f"p{n}@example.ma", trade="bakery")
    open_survey(survey)
    db.session.execute(sa.update(OutboxMessage).values(state=OutboxState.SENT))
    invites = list(db.session.scalars(sa.select(SurveyInvite).order_by(SurveyInvite.id)))
    rating = question_of(survey, QuestionKind.RATING)
    yes_no = question_of(survey, QuestionKind.YES_NO)
    comment = survey.questions[6]
    picks = [[0, 1], [1], [1, 2], [0], []]
    for n, invite in enumerate(invites[:5]):
        answers = {
            rating.id: RATINGS[n],
            scale.id: SCALES[n],
            yes_no.id: n != 4,
            choice.id: picks[n],
        }
        if n == 0:
            answers[comment.id] = HOSTILE
        if n == 1:
            answers[comment.id] = "Très bonne organisation, merci"
        surveys_answering.submit_response(invite, answers)
    db.session.commit()
    return survey


def _result(results, kind):
    return next(r for r in results.questions if r.question.kind == kind)


def test_counts_mean_median_and_nps(answered):
    results = surveys_results.compute_results(answered, "fr")
    assert (results.sent, results.responses) == (8, 5)
    assert results.rate == 5 / 8
    rating = _result(results, QuestionKind.RATING)
    assert rating.answered == 5
    assert [b.count for b in rating.bars] == [1, 0, 1, 2, 1]  # 1..5 stars
    assert (rating.mean, rating.median) == (3.4, 4)
    scale = _result(results, QuestionKind.SCALE)
    assert scale.nps == 20 and scale.mean == 8 and scale.median == 8
    assert len(scale.bars) == 11
    yes_no = _result(results, QuestionKind.YES_NO)
    assert [(b.label, b.count) for b in yes_no.bars] == [("Oui", 4), ("Non", 1)]
    choice = _result(results, QuestionKind.MULTIPLE)
    assert choice.answered == 4  # the empty pick is no answer
    assert [(b.label, b.count) for b in choice.bars] == [
        ("Couverture santé", 2),
        ("Damancom", 3),
        ("Impôts", 1),
    ]
    assert [b.label for b in surveys_results.compute_results(answered, "ar").questions[-1].bars][
        0
    ] == ("التغطية الصحية")


def test_text_answers_can_be_searched(answered):
    comment = answered.questions[6]

    def texts(q):
        results = surveys_results.compute_results(answered, "fr", search=q).questions
        return next(r for r in results if r.question.id == comment.id).texts

    assert len(texts("")) == 2
    assert texts("ORGANISATION") == ["Très bonne organisation, merci"]


def test_results_page_shows_charts_and_escapes_hostile_text(answered, as_organiser, past_event):
    html = as_organiser.get(f"/events/{past_event.id}/survey/results").get_data(as_text=True)
    assert html.count("<svg") >= 5
    assert 'id="response-rate">63%' in html or 'id="response-rate">62%' in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    found = as_organiser.get(f"/events/{past_event.id}/survey/results?q=merci")
    assert "Très bonne organisation" in found.get_data(as_text=True)


def test_exports_neutralise_formulas(answered, as_organiser, past_event):
    csv = as_organiser.get(f"/events/{past_event.id}/survey/export.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    text = csv.get_data(as_text=True)
    assert "'=HYPERLINK" in text
    assert len(text.strip().splitlines()) == 6  # header + five responses
    assert "Person 0" not in text  # anonymous: no names
    xlsx = as_organiser.get(f"/events/{past_event.id}/survey/export.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = [c.value for row in sheet.iter_rows() for c in row if c.value]
    assert any(isinstance(v, str) and v.startswith("'=HYPERLINK") for v in values)
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)


@pytest.mark.parametrize("lang, marker", [("ar", 'dir="rtl"'), ("fr", 'dir="ltr"')])
def test_printable_report_in_arabic_or_french(answered, as_organiser, past_event, lang, marker):
    html = as_organiser.get(f"/events/{past_event.id}/survey/report?lang={lang}").get_data(
        as_text=True
    )
    assert marker in html
    assert "report.css" in html and "<svg" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert ("تقرير الاستبيان" in html) == (lang == "ar")


def test_identified_results_filter_by_trade(app, survey, past_event, as_organiser):
    survey.anonymous = False
    for n in range(surveys_results.MIN_GROUP):  # groups big enough to be shown
        make_registration(past_event, f"Baker {n}", email=f"b{n}@example.ma", trade="bakery")
        make_registration(past_event, f"Smith {n}", email=f"s{n}@example.ma", trade="metalwork")
    open_survey(survey)
    rating = question_of(survey, QuestionKind.RATING)
    for invite in db.session.scalars(sa.select(SurveyInvite).order_by(SurveyInvite.id)).all():
        value = 5 if invite.full_name.startswith("Baker") else 1
        surveys_answering.submit_response(invite, {rating.id: value})
    db.session.commit()
    only_bakers = surveys_results.compute_results(survey, "fr", trade="bakery")
    assert _result(only_bakers, QuestionKind.RATING).mean == 5
    text = as_organiser.get(f"/events/{past_event.id}/survey/export.csv?trade=metalwork").get_data(
        as_text=True
    )
    assert "Smith 0" in text and "Baker" not in text


def test_another_organisation_cannot_see_results(answered, client, past_event):
    from core.roles import Role
    from tests.conftest import login, make_user

    stranger = make_user(make_org("other", name_fr="Autre"), Role.OWNER)
    login(client, stranger.email)
    for path in ("results", "export.csv", "report", ""):
        url = f"/events/{past_event.id}/survey/{path}".rstrip("/")
        assert client.get(url).status_code == 404


def test_editor_adds_edits_moves_and_deletes_questions(survey, as_organiser, past_event):
    base = f"/events/{past_event.id}/survey"
    from tests.conftest import csrf_token_from

    token = csrf_token_from(as_organiser.get(f"{base}/questions/new").get_data(as_text=True))
    data = {
        "csrf_token": token,
        "kind": "single",
        "label_ar": "كيف علمتم باللقاء؟",
        "label_fr": "Comment avez-vous connu la rencontre ?",
        "choices_ar": "البريد\nالهاتف",
        "choices_fr": "E-mail\nTéléphone",
        "required": "y",
    }
    assert as_organiser.post(f"{base}/questions/new", data=data).status_code == 302
    db.session.expire_all()
    added = survey.questions[-1]
    added_id = added.id
    assert added.kind == QuestionKind.SINGLE and added.required
    assert added.choices("fr") == ["E-mail", "Téléphone"]
    # an uneven number of choices is refused
    bad = {**data, "choices_fr": "Un\nDeux\nTrois"}
    as_organiser.post(f"{base}/questions/{added.id}", data=bad)
    db.session.expire_all()
    assert db.session.get(SurveyQuestion, added.id).choices_fr == "E-mail\nTéléphone"
    # move it to the top, then delete it
    assert as_organiser.post(f"{base}/questions/{added.id}/up", data={"csrf_token": token})
    db.session.expire_all()
    assert survey.questions[-2].id == added.id
    as_organiser.post(f"{base}/questions/{added.id}/delete", data={"csrf_token": token})
    db.session.expire_all()
    assert added_id not in [q.id for q in survey.questions]
    assert len(survey.questions) == 7
    # a question of another event's survey is not found
    other = services.create_survey(make_event(past_event.organisation))
    db.session.commit()
    assert as_organiser.get(f"{base}/questions/{other.questions[0].id}").status_code == 404


def test_the_survey_tab_creates_opens_and_sends_now(as_organiser, past_event):
    from tests.conftest import csrf_token_from

    make_registration(past_event, "Karim", email="karim@example.ma")
    base = f"/events/{past_event.id}/survey"
    token = csrf_token_from(as_organiser.get(base).get_data(as_text=True))
    assert as_organiser.post(f"{base}/create", data={"csrf_token": token}).status_code == 302
    assert as_organiser.post(f"{base}/create").status_code == 400  # no CSRF token
    page = as_organiser.get(base).get_data(as_text=True)
    assert "Dans l’ensemble" in page
    assert as_organiser.post(f"{base}/send-now", data={"csrf_token": token}).status_code == 302
    message = db.session.scalar(sa.select(OutboxMessage))
    assert message is not None and message.to_email == "karim@example.ma"
    assert message.send_after <= past_event.ends_at + timedelta(hours=2)


def test_whoever_answered_counts_as_reached_even_if_the_email_is_still_queued(answered):
    """The link reached them (they used it), so the rate never exceeds 100 %."""
    db.session.execute(
        db.update(OutboxMessage)
        .where(OutboxMessage.key.like(f"survey:{answered.id}:invite:%"))
        .values(state=OutboxState.QUEUED)
    )
    db.session.commit()
    results = surveys_results.compute_results(answered, "fr")
    assert (results.sent, results.responses, results.rate) == (5, 5, 1.0)


def test_the_survey_export_reads_the_responses_only_as_the_file_is_written(answered, survey):
    """The rows are a generator over one paged query (core.exports.send streams them)."""
    from tests.checkin.test_hot_path import statements

    with statements() as sent:
        header, rows = surveys_results.export_rows(survey, "fr")
        asked_before = [s for s in sent if "FROM survey_response" in s]
        first = next(rows)
        lines = [first, *rows]
        asked = [s for s in sent if "FROM survey_response" in s]
    assert asked_before == [] and len(asked) == 1
    assert len(lines) == 5 and len(first) == len(header)
