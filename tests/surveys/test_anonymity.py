"""An attacker holds everything after an anonymous survey: every table, the secret key and
the application's log. They must not tell who gave which answer better than chance."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

import sqlalchemy as sa

from blueprints.followups.models import FollowUp
from blueprints.surveys import answering, services
from blueprints.surveys.models import QuestionKind, SurveyInvite, SurveyResponse
from extensions import db
from tests.conftest import csrf_token_from, is_postgres
from tests.surveys.conftest import make_registration, open_survey, question_of

PEOPLE = 8
PREFIXES = ("", "survey-response|", "survey|", "response|", "survey-response:", "invite|")


def _answer_all_in_invite_order(client, survey):
    """The worst case for anonymity: people answer in the order they were invited, each
    with answers of their own (a distinct comment, a distinct concern)."""
    rating = question_of(survey, QuestionKind.RATING)
    concern = next(q for q in survey.questions if q.is_concern)
    comment = survey.questions[-1]
    invites = list(db.session.scalars(sa.select(SurveyInvite).order_by(SurveyInvite.id)))
    for n, invite in enumerate(invites):
        html = client.get(f"/s/{invite.token}").get_data(as_text=True)
        data = {
            "csrf_token": csrf_token_from(html),
            f"q{rating.id}": str(1 + n % 5),
            f"q{question_of(survey, QuestionKind.YES_NO).id}": "yes",
            f"q{concern.id}": f"dossier bloqué numéro {n}",
            f"q{comment.id}": f"commentaire {n}",
        }
        assert client.post(f"/s/{invite.token}", data=data).status_code == 302
    return invites


def _every_value_in_the_database() -> list[str]:
    """Every value of every table, but the invites' own links (the invite side is allowed to
    know its link: that is how one answer per link is kept)."""
    values = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name == "survey_invite":
                values += [
                    str(v)
                    for row in conn.execute(
                        sa.select(*(c for c in table.columns if not c.name.startswith("token")))
                    )
                    for v in row
                ]
                continue
            for row in conn.execute(sa.select(table)):
                values += [
                    json.dumps(v, default=str) if isinstance(v, dict) else str(v) for v in row
                ]
    return values


def _derived_from_link(invite: SurveyInvite, secret: str) -> set[str]:
    token = invite.token.encode()
    found = {invite.token, hashlib.sha256(token).hexdigest(), hashlib.sha1(token).hexdigest()}  # noqa: S324
    for prefix in PREFIXES:
        message = prefix.encode() + token
        found.add(hmac.new(secret.encode(), message, hashlib.sha256).hexdigest())
        found.add(hashlib.sha256(message).hexdigest())
    return found


def test_an_attacker_with_everything_cannot_link_answers_to_people(
    app, client, survey, past_event, caplog
):
    for n in range(PEOPLE):
        make_registration(past_event, f"Personne {n}", email=f"p{n}@example.ma")
    open_survey(survey)
    caplog.set_level(logging.DEBUG)
    invites = _answer_all_in_invite_order(client, survey)
    services.close_survey(survey)
    db.session.commit()
    services.vacuum_after_reseal()
    db.session.expire_all()

    responses = list(db.session.scalars(sa.select(SurveyResponse)))
    assert len(responses) == PEOPLE and all(i.responded for i in invites)
    secret = app.config["SECRET_KEY"]
    everything = " ".join(_every_value_in_the_database())
    assert invites[0].email in everything  # the scan does read the invites
    log = "\n".join(record.getMessage() for record in caplog.records)
    for invite in invites:
        # Nothing derived from the link (plain, hashed, keyed with any prefix) is stored.
        for value in _derived_from_link(invite, secret):
            assert value not in everything
    for response in responses:
        assert response.registration_id is None and response.companion_id is None
        row = (
            db.session.execute(
                sa.select(SurveyResponse.__table__).where(SurveyResponse.id == response.id)
            )
            .one()
            ._asdict()
        )
        for column in ("organisation_id", "survey_id", "answers", "answered_on"):
            row.pop(column)  # shared by every response, or the answers themselves
        invite_ids = {i.id for i in invites} | {str(i.id) for i in invites}
        assert not any(v in invite_ids for v in row.values() if v is not None), row
        assert response.id not in log  # request logs never hold a response id
    # Time: the day only, the same for everyone here.
    assert len({r.answered_on for r in responses}) == 1
    # Order: neither the results' order nor the table's own order follows the answers'.
    answered_order = [f"commentaire {n}" for n in range(PEOPLE)]
    comment = str(survey.questions[-1].id)
    listed = [r.answers[comment] for r in answering_order(survey)]
    assert listed != answered_order and sorted(listed) == sorted(answered_order)
    with db.engine.connect() as conn:
        stored = [
            json.loads(a) if isinstance(a, str) else a
            for (a,) in conn.execute(sa.text("SELECT answers FROM survey_response"))
        ]
        assert [a[comment] for a in stored] != answered_order
        if is_postgres():  # the row versions no longer tell the answers' transactions
            xmins = {x for (x,) in conn.execute(sa.text("SELECT xmin::text FROM survey_response"))}
            invite_xmins = {
                x for (x,) in conn.execute(sa.text("SELECT xmin::text FROM survey_invite"))
            }
            assert len(xmins) == 1 and len(invite_xmins) == 1
        else:  # no rowid that would keep the order of insertion
            try:
                conn.execute(sa.text("SELECT rowid FROM survey_response"))
            except sa.exc.OperationalError:
                pass
            else:
                raise AssertionError("survey_response has a rowid")
    # Concerns reach the follow-ups without a name.
    followups = list(db.session.scalars(sa.select(FollowUp)))
    assert len(followups) == PEOPLE and all(f.registration_id is None for f in followups)


def answering_order(survey):
    from blueprints.surveys.results import responses_for

    return responses_for(survey)


def test_asking_for_an_answer_names_only_that_concern(client, survey, past_event):
    registration = make_registration(past_event, "Nadia Alaoui", email="nadia@example.ma")
    open_survey(survey)
    invite = db.session.scalar(sa.select(SurveyInvite))
    concern = next(q for q in survey.questions if q.is_concern)
    comment = survey.questions[-1]
    page = client.get(f"/s/{invite.token}").get_data(as_text=True)
    assert 'name="contact_me"' in page and "09-08" in page
    data = {
        "csrf_token": csrf_token_from(page),
        f"q{question_of(survey, QuestionKind.RATING).id}": "3",
        f"q{question_of(survey, QuestionKind.YES_NO).id}": "no",
        f"q{concern.id}": "Mon affiliation est bloquée depuis mars",
        f"q{comment.id}": "Salle trop petite",
        "contact_me": "y",
    }
    posted = client.post(f"/s/{invite.token}", data=data)
    assert posted.status_code == 302, posted.get_data(as_text=True)[-3000:]
    followup = db.session.scalar(sa.select(FollowUp))
    assert followup.registration_id == registration.id
    assert followup.text == "Mon affiliation est bloquée depuis mars"
    response = db.session.scalar(sa.select(SurveyResponse))
    assert response.registration_id is None
    assert str(concern.id) not in response.answers  # the named text is not in the answers
    assert response.answers[str(comment.id)] == "Salle trop petite"


def test_an_anonymous_answer_is_given_once_and_then_thanked(client, survey, past_event):
    make_registration(past_event, "Karim Benali", email="karim@example.ma")
    open_survey(survey)
    invite = db.session.scalar(sa.select(SurveyInvite))
    rating = question_of(survey, QuestionKind.RATING)
    yes_no = question_of(survey, QuestionKind.YES_NO)
    page = client.get(f"/s/{invite.token}").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), f"q{rating.id}": "4", f"q{yes_no.id}": "yes"}
    first = client.post(f"/s/{invite.token}", data=data)
    assert first.status_code == 302
    thanks = client.get(first.location).get_data(as_text=True)
    assert "Merci, votre réponse est enregistrée." in thanks and 'data-saved="1"' in thanks
    assert 'id="sv-form"' not in thanks  # nothing to change any more
    again = client.post(f"/s/{invite.token}", data={**data, f"q{rating.id}": "1"})
    assert again.status_code == 200 and "enregistrée" in again.get_data(as_text=True)
    (response,) = db.session.scalars(sa.select(SurveyResponse)).all()
    assert response.answers[str(rating.id)] == 4  # the second submission changed nothing
    arabic = client.get(f"/s/{invite.token}?lang=ar").get_data(as_text=True)
    assert "تم تسجيل جوابكم" in arabic and 'dir="rtl"' in arabic


def test_a_second_submission_of_a_used_link_is_refused_by_the_service(survey, past_event):
    make_registration(past_event, "Karim Benali", email="karim@example.ma")
    open_survey(survey)
    invite = db.session.scalar(sa.select(SurveyInvite))
    answering.submit_response(invite, {})
    db.session.commit()
    try:
        answering.submit_response(invite, {})
    except answering.AlreadyAnswered:
        db.session.rollback()
    else:
        raise AssertionError("a used link answered twice")
    assert db.session.scalar(sa.select(sa.func.count(SurveyResponse.id))) == 1


def test_a_breakdown_of_fewer_than_five_people_shows_nothing(as_organiser, survey, past_event):
    from blueprints.surveys.results import MIN_GROUP, compute_results

    survey.anonymous = False
    for n in range(MIN_GROUP + 1):
        make_registration(past_event, f"Boulanger {n}", email=f"b{n}@example.ma", trade="bakery")
    make_registration(past_event, "Seul menuisier", email="m@example.ma", trade="carpentry")
    open_survey(survey)
    rating = question_of(survey, QuestionKind.RATING)
    for invite in db.session.scalars(sa.select(SurveyInvite)).all():
        answering.submit_response(invite, {rating.id: 4})
    db.session.commit()
    bakers = compute_results(survey, "fr", trade="bakery")
    assert bakers.responses == MIN_GROUP + 1 and not bakers.too_few
    alone = compute_results(survey, "fr", trade="carpentry")
    assert alone.responses == 0 and alone.too_few
    assert all(q.answered == 0 for q in alone.questions)
    page = as_organiser.get(f"/events/{past_event.id}/survey/results?trade=carpentry")
    assert "Moins de 5 personnes dans ce groupe" in page.get_data(as_text=True)
