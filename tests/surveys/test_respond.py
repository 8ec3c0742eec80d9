"""The personal link: answer on the phone, once per person, anonymously by default."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from blueprints.followups.models import FollowUp
from blueprints.surveys import answering, schedule, services
from blueprints.surveys.models import QuestionKind, SurveyInvite, SurveyResponse
from extensions import db
from tests.conftest import csrf_token_from
from tests.surveys.conftest import make_registration, open_survey, question_of

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = '<script>alert(1)</script> \u202eevil =HYPERLINK("http://x")'


@pytest.fixture
def invite(survey, past_event):
    make_registration(past_event, "Karim Benali", email="karim@example.ma", trade="bakery")
    open_survey(survey)
    return db.session.scalar(sa.select(SurveyInvite))


def _answers(survey, **overrides):
    rating = question_of(survey, QuestionKind.RATING)
    yes_no = question_of(survey, QuestionKind.YES_NO)
    data = {f"q{rating.id}": "4", f"q{yes_no.id}": "yes"}
    data.update(overrides)
    return data


def _post(client, token, data):
    html = client.get(f"/s/{token}").get_data(as_text=True)
    return client.post(f"/s/{token}", data={"csrf_token": csrf_token_from(html), **data})


def test_an_attendee_of_an_identified_survey_answers_and_can_change_the_answer(
    client, survey, past_event
):
    survey.anonymous = False
    make_registration(past_event, "Karim Benali", email="karim@example.ma")
    open_survey(survey)
    invite = db.session.scalar(sa.select(SurveyInvite))
    page = client.get(f"/s/{invite.token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'lang="fr"' in html and "Votre avis sur la rencontre" in html
    assert "<script>" not in html.split("</main>")[0]  # no inline script in the page body
    first = _post(client, invite.token, _answers(survey))
    assert first.status_code == 302
    saved = client.get(first.location).get_data(as_text=True)
    assert 'data-saved="1"' in saved
    rating = question_of(survey, QuestionKind.RATING)
    assert (
        _post(client, invite.token, _answers(survey, **{f"q{rating.id}": "2"})).status_code == 302
    )
    db.session.expire_all()
    responses = list(db.session.scalars(sa.select(SurveyResponse)))
    assert len(responses) == 1
    assert responses[0].answers[str(rating.id)] == 2
    assert db.session.scalar(sa.select(SurveyInvite.responded).where(SurveyInvite.id == invite.id))
    # the page shows the saved answer back
    again = client.get(f"/s/{invite.token}").get_data(as_text=True)
    assert f'name="q{rating.id}" value="2" checked' in again


def test_the_page_is_right_to_left_in_arabic(client, survey, past_event):
    make_registration(past_event, "أمينة", email="amina@example.ma", locale="ar")
    open_survey(survey)
    token = db.session.scalar(sa.select(SurveyInvite)).token
    html = client.get(f"/s/{token}").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    assert "ما مدى رضاكم العام عن اللقاء؟" in html
    # the person may switch language
    assert 'lang="fr" dir="ltr"' in client.get(f"/s/{token}?lang=fr").get_data(as_text=True)


def test_required_questions_are_enforced(client, survey, invite):
    rating = question_of(survey, QuestionKind.RATING)
    response = _post(client, invite.token, _answers(survey, **{f"q{rating.id}": ""}))
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(SurveyResponse.id))) == 0


def test_wrong_types_and_huge_text_are_refused(client, survey, invite):
    rating = question_of(survey, QuestionKind.RATING)
    comment = survey.questions[-1]
    for bad in ({f"q{rating.id}": "9"}, {f"q{rating.id}": "abc"}, {f"q{comment.id}": "x" * 10_000}):
        assert _post(client, invite.token, _answers(survey, **bad)).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(SurveyResponse.id))) == 0


def test_a_post_without_csrf_token_is_refused(client, survey, invite):
    response = client.post(f"/s/{invite.token}", data=_answers(survey))
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(SurveyResponse.id))) == 0


@pytest.mark.parametrize("token", ["forged-token", "x" * 300, "' OR 1=1 --"])
def test_a_forged_link_is_not_found(client, invite, token):
    assert client.get(f"/s/{token}").status_code == 404


def test_another_persons_link_edits_their_own_answer_only(client, survey, past_event, invite):
    make_registration(past_event, "Nadia", email="nadia@example.ma")
    schedule.schedule_survey(survey)
    db.session.commit()
    other = db.session.scalar(sa.select(SurveyInvite).where(SurveyInvite.id != invite.id))
    _post(client, invite.token, _answers(survey))
    _post(client, other.token, _answers(survey))
    assert db.session.scalar(sa.select(sa.func.count(SurveyResponse.id))) == 2


def test_anonymous_responses_hold_no_link_to_the_person(app, client, survey, past_event, invite):
    """Inspect the tables: nothing in survey_response points to who answered."""
    make_registration(past_event, "Nadia Alaoui", email="nadia@example.ma")
    schedule.schedule_survey(survey)
    db.session.commit()
    concern = next(q for q in survey.questions if q.is_concern)
    for one in db.session.scalars(sa.select(SurveyInvite)):
        _post(client, one.token, _answers(survey, **{f"q{concern.id}": "Mon dossier CNSS bloque"}))
    db.session.expire_all()
    invites = list(db.session.scalars(sa.select(SurveyInvite)))
    assert all(i.responded for i in invites)

    response_table = SurveyResponse.__table__
    assert {c.name for c in response_table.columns} == {
        "id",
        "organisation_id",
        "survey_id",
        "answered_on",
        "answers",
        "registration_id",
        "companion_id",
    }
    assert {fk.column.table.name for fk in response_table.foreign_keys} >= {"survey"}
    rows = db.session.execute(sa.select(response_table)).mappings().all()
    assert len(rows) == 2
    secrets_of_people = set()  # long values: must not appear anywhere
    ids_of_people = set()  # short ids: must not be the value of any column
    for i in invites:
        ids_of_people |= {i.id, i.registration_id, str(i.id), str(i.registration_id)}
        secrets_of_people |= {
            i.token,
            i.email,
            i.full_name,
            i.person_key,
            hashlib.sha256(i.token.encode()).hexdigest(),
            hashlib.sha1(i.token.encode()).hexdigest(),  # noqa: S324 - checking, not hashing
            hashlib.md5(i.token.encode()).hexdigest(),  # noqa: S324
        }
    for row in rows:
        assert row["registration_id"] is None and row["companion_id"] is None
        assert not hasattr(row["answered_on"], "hour")  # the day only, no time of day
        for value in (row["id"], str(row["answers"])):
            assert not any(p in value for p in secrets_of_people), value
        assert row["id"] not in ids_of_people
        assert not row["id"].isdigit()  # random ids, not in the order of answers
    # the concern reached the follow-ups without a name
    followups = list(db.session.scalars(sa.select(FollowUp)))
    assert len(followups) == 2
    assert all(f.registration_id is None and f.raised_by_name == "" for f in followups)


def test_identified_surveys_link_the_response_to_the_registration(client, survey, past_event):
    survey.anonymous = False
    registration = make_registration(past_event, "Karim", email="karim@example.ma")
    open_survey(survey)
    token = db.session.scalar(sa.select(SurveyInvite)).token
    _post(client, token, _answers(survey))
    response = db.session.scalar(sa.select(SurveyResponse))
    assert response.registration_id == registration.id


def test_anonymity_cannot_change_once_answered(app, survey, invite):
    answering.submit_response(invite, {})
    db.session.commit()
    with pytest.raises(services.SurveyError):
        services.update_settings(
            survey, services.SurveySettings(anonymous=False, delay_hours=2, reminder_days=3)
        )


def test_concurrent_submissions_of_one_link_make_one_response(app, db_url, survey, invite):
    """Eight threads submit the same link at once: one response; the others are told it
    is recorded already, and nothing else goes wrong."""
    token = invite.token
    rating = question_of(survey, QuestionKind.RATING)
    db.session.remove()
    errors: list[BaseException] = []
    refused: list[int] = []
    barrier = threading.Barrier(8)

    def submit(value: int) -> None:
        try:
            with app.app_context():
                one = answering.invite_by_token(token)
                barrier.wait(timeout=10)
                try:
                    answering.submit_response(one, {rating.id: value})
                    db.session.commit()
                except answering.AlreadyAnswered:
                    db.session.rollback()
                    refused.append(value)
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=submit, args=(1 + n % 5,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert len(refused) == 7
    rows = list(db.session.scalars(sa.select(SurveyResponse)))
    assert len(rows) == 1
    assert rows[0].answers[str(rating.id)] in range(1, 6)
    assert db.session.scalar(sa.select(SurveyInvite.responded).where(SurveyInvite.id == invite.id))


SECOND_PROCESS = """
import sys
sys.path.insert(0, {root!r})
from app import create_app
import sqlalchemy as sa
from extensions import db
from blueprints.surveys.models import SurveyResponse
app = create_app({{"ENV_NAME": "test", "TESTING": True, "SECRET_KEY": "another-process-key",
                  "SQLALCHEMY_DATABASE_URI": {url!r}, "WTF_CSRF_ENABLED": False,
                  "RATELIMIT_ENABLED": False}})
client = app.test_client()
codes = [client.post("/s/{token}", data={data!r}).status_code for _ in range(2)]
with app.app_context():
    print(codes, db.session.scalar(sa.select(sa.func.count(SurveyResponse.id))))
"""


def test_another_web_worker_with_its_own_key_records_one_answer(db_url, survey, invite):
    """Another process (another worker, another secret key even): the link is taken once;
    nothing of the answer depends on the key."""
    script = SECOND_PROCESS.format(
        root=str(ROOT), url=db_url, token=invite.token, data=_answers(survey)
    )
    db.session.commit()
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.strip().splitlines()[-1:] == ["[302, 200] 1"], done.stderr[-3000:]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(SurveyResponse.id))) == 1
