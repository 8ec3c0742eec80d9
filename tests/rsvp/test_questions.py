"""The organiser's questions on the RSVP form: every kind, required, bilingual, concerns."""

from __future__ import annotations

import sqlalchemy as sa

from blueprints.rsvp.models import Answer, Question, QuestionKind, RegistrationStatus
from core.signals import concern_raised
from extensions import db
from tests.conftest import form_page_token, login, make_org, make_user
from tests.rsvp.conftest import (
    ACCEPT,
    DECLINE,
    answer,
    make_invitation,
    make_question,
    registration_of,
)


def _all_kinds(event):
    return {
        "short": make_question(event, QuestionKind.SHORT_TEXT, position=0, required=True),
        "long": make_question(
            event,
            QuestionKind.LONG_TEXT,
            position=1,
            is_concern=True,
            label_fr="Quel problème voulez-vous soulever avec la CNSS ?",
            label_ar="ما المشكلة التي تريد طرحها مع الضمان الاجتماعي؟",
        ),
        "single": make_question(
            event,
            QuestionKind.SINGLE_CHOICE,
            position=2,
            choices_fr="Commerce\nArtisanat",
            choices_ar="تجارة\nصناعة تقليدية",
        ),
        "multi": make_question(
            event,
            QuestionKind.MULTIPLE_CHOICE,
            position=3,
            choices_fr="AMO\nDamancom\nRetraite",
            choices_ar="تأمين\nضمانكم\nتقاعد",
        ),
        "yesno": make_question(event, QuestionKind.YES_NO, position=4),
        "number": make_question(event, QuestionKind.NUMBER, position=5),
        "phone": make_question(event, QuestionKind.PHONE, position=6),
        "email": make_question(event, QuestionKind.EMAIL, position=7),
        "date": make_question(event, QuestionKind.DATE, position=8),
    }


def test_every_kind_is_answered_and_stored(client, org, event, invitation):
    q = _all_kinds(event)
    raised = []
    handler = lambda sender, **kw: raised.append(kw)  # noqa: E731
    concern_raised.connect(handler)
    try:
        response = answer(
            client,
            invitation,
            {
                **ACCEPT,
                f"q_{q['short'].id}": "Menuiserie",
                f"q_{q['long'].id}": "Retard de remboursement <script>alert(1)</script>",
                f"q_{q['single'].id}": "1",
                f"q_{q['multi'].id}": ["0", "2"],
                f"q_{q['yesno'].id}": "yes",
                f"q_{q['number'].id}": "12",
                f"q_{q['phone'].id}": "06 61 23 45 67",
                f"q_{q['email'].id}": "Karim@Example.MA",
                f"q_{q['date'].id}": "2026-12-01",
            },
        )
    finally:
        concern_raised.disconnect(handler)
    assert response.status_code == 302
    registration = registration_of(invitation)
    values = {a.question_id: a.value for a in registration.answers}
    assert values[q["single"].id] == "1"
    assert values[q["multi"].id] == "0,2"
    assert values[q["yesno"].id] == "yes"
    assert values[q["number"].id] == "12"
    assert values[q["phone"].id] == "+212661234567"
    assert values[q["email"].id] == "karim@example.ma"
    assert values[q["date"].id] == "2026-12-01"
    assert len(raised) == 1
    assert raised[0]["source"] == "rsvp" and raised[0]["registration_id"] == registration.id
    assert raised[0]["text"].startswith("Retard de remboursement")
    assert raised[0]["question"].startswith("Quel problème")
    assert raised[0]["event_id"] == event.id and raised[0]["organisation_id"] == org.id
    # the same answer again does not raise the concern twice
    raised.clear()
    concern_raised.connect(handler)
    try:
        answer(
            client,
            invitation,
            {
                **ACCEPT,
                f"q_{q['short'].id}": "Menuiserie",
                f"q_{q['long'].id}": "Retard de remboursement <script>alert(1)</script>",
            },
        )
    finally:
        concern_raised.disconnect(handler)
    assert raised == []


def test_labels_and_choices_follow_the_language(client, org, event):
    q = make_question(
        event,
        QuestionKind.SINGLE_CHOICE,
        label_ar="القطاع",
        label_fr="Secteur",
        choices_fr="Commerce\nArtisanat",
        choices_ar="تجارة\nصناعة تقليدية",
    )
    arabic = make_invitation(org, event, locale="ar")
    html = client.get(f"/r/{arabic.token}").get_data(as_text=True)
    assert "القطاع" in html and "صناعة تقليدية" in html and "Artisanat" not in html
    french = make_invitation(org, event, locale="fr")
    client2 = client.application.test_client()
    html = client2.get(f"/r/{french.token}").get_data(as_text=True)
    assert "Secteur" in html and "Artisanat" in html
    assert q.choices("fr") == ["Commerce", "Artisanat"]


def test_required_question_only_when_accepting(client, event, invitation):
    q = make_question(event, QuestionKind.SHORT_TEXT, required=True)
    response = answer(client, invitation, ACCEPT)
    assert response.status_code == 422 and registration_of(invitation) is None
    response = answer(client, invitation, DECLINE)
    assert response.status_code == 302
    assert registration_of(invitation).status == RegistrationStatus.DECLINED
    assert q.id


def test_hostile_answers_are_refused_or_kept_as_text(client, event, invitation):
    number = make_question(event, QuestionKind.NUMBER, position=0)
    text = make_question(event, QuestionKind.LONG_TEXT, position=1)
    choice = make_question(event, QuestionKind.SINGLE_CHOICE, position=2, choices_fr="A\nB")
    response = answer(client, invitation, {**ACCEPT, f"q_{number.id}": "douze"})
    assert response.status_code == 422 and registration_of(invitation) is None
    response = answer(client, invitation, {**ACCEPT, f"q_{number.id}": "sNaN"})
    assert response.status_code == 422
    response = answer(client, invitation, {**ACCEPT, f"q_{choice.id}": "7"})
    assert response.status_code == 422
    response = answer(client, invitation, {**ACCEPT, f"q_{text.id}": "x" * 10000})
    assert response.status_code == 422  # long text is at most 5,000 characters
    rlo = "\u202eتجربة 123"
    response = answer(
        client, invitation, {**ACCEPT, f"q_{text.id}": rlo, "companions-0": "<b>x</b>"}
    )
    assert response.status_code == 302
    registration = registration_of(invitation)
    assert registration.answers[0].value == rlo


def test_organiser_builds_reorders_and_deletes_questions(as_organiser, org, event):
    url = f"/events/{event.id}/questions"
    token = form_page_token(as_organiser, url)
    response = as_organiser.post(
        url,
        data={
            "csrf_token": token,
            "kind": "single_choice",
            "label_ar": "القطاع",
            "label_fr": "Secteur",
            "choices_ar": "تجارة\nصناعة",
            "choices_fr": "Commerce\nIndustrie",
            "required": "y",
        },
    )
    assert response.status_code == 302
    response = as_organiser.post(
        url,
        data={
            "csrf_token": token,
            "kind": "long_text",
            "label_fr": "Votre problème",
            "is_concern": "y",
        },
    )
    first, second = db.session.scalars(sa.select(Question).order_by(Question.position)).all()
    assert first.required and second.is_concern
    # uneven choices are refused
    response = as_organiser.post(
        url,
        data={
            "csrf_token": token,
            "kind": "single_choice",
            "label_fr": "X",
            "choices_ar": "أ\nب\nج",
            "choices_fr": "A\nB",
        },
    )
    assert db.session.scalar(sa.select(sa.func.count(Question.id))) == 2
    as_organiser.post(f"{url}/{second.id}/up", data={"csrf_token": token})
    db.session.expire_all()
    assert [
        q.label_fr for q in db.session.scalars(sa.select(Question).order_by(Question.position))
    ] == ["Votre problème", "Secteur"]
    edit = as_organiser.post(
        f"{url}/{first.id}",
        data={
            "csrf_token": token,
            "kind": "single_choice",
            "label_fr": "Secteur d'activité",
            "choices_fr": "Commerce\nIndustrie",
            "choices_ar": "تجارة\nصناعة",
        },
    )
    assert edit.status_code == 302
    as_organiser.post(f"{url}/{first.id}/delete", data={"csrf_token": token})
    assert db.session.scalar(sa.select(sa.func.count(Question.id))) == 1
    assert as_organiser.post(url, data={"kind": "short_text", "label_fr": "x"}).status_code == 400


def test_other_organisation_cannot_touch_questions(client, org, event):
    q = make_question(event)
    other = make_org("other", name_fr="Autre")
    make_user(other, email="boss@other.test")
    login(client, "boss@other.test")
    assert client.get(f"/events/{event.id}/questions").status_code == 404
    assert client.get(f"/events/{event.id}/questions/{q.id}").status_code == 404
    assert db.session.get(Question, q.id) is not None
    assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 0
