"""Open registration: the public form, the emailed link that expires, approval, honeypot."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from blueprints.rsvp.models import (
    QuestionKind,
    Registration,
    RegistrationConfirmation,
    RegistrationSource,
    RegistrationStatus,
)
from core.db import utcnow
from core.outbox_delivery import deliver_due
from core.signals import concern_raised
from extensions import db
from tests.conftest import csrf_token_from, form_page_token, make_event
from tests.rsvp.conftest import make_question, open_registration

VISITOR = {
    "full_name": "Youssef Amrani",
    "email": "Youssef@Example.ma",
    "phone": "0661234567",
    "company": "Atelier Amrani",
    "trade": "Menuiserie",
    "consent": "y",
}


def _register(client, event, data=None):
    url = f"/e/{event.public_id}/register"
    body = {**VISITOR, **(data or {}), "csrf_token": form_page_token(client, url)}
    return client.post(url, data=body)


def _link_from(smtp_server, count=1):
    _, _, message = smtp_server.wait_for(count)[count - 1]
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://liqaa.test(/confirm/[\w-]+)", text).group(1), message


def test_the_register_button_shows_only_when_open(client, org):
    event = make_event(org)
    assert f"/e/{event.public_id}/register" not in client.get(f"/e/{event.public_id}").get_data(
        as_text=True
    )
    assert client.get(f"/e/{event.public_id}/register").status_code == 404
    open_registration(event)
    assert f"/e/{event.public_id}/register" in client.get(f"/e/{event.public_id}").get_data(
        as_text=True
    )


def test_place_is_held_only_after_confirming_by_email(client, org, smtp_server):
    event = make_event(org, capacity=5)
    open_registration(event)
    concern = make_question(event, QuestionKind.LONG_TEXT, is_concern=True, label_fr="Problème")
    response = _register(client, event, {f"q_{concern.id}": "Mon dossier AMO bloqué"})
    assert response.status_code == 302
    registration = db.session.scalar(sa.select(Registration))
    assert registration.status == RegistrationStatus.PENDING_CONFIRMATION
    assert registration.source == RegistrationSource.OPEN_FORM
    assert registration.email == "youssef@example.ma" and registration.phone == "+212661234567"
    assert registration.ticket_code is None
    deliver_due()
    path, message = _link_from(smtp_server)
    assert message["To"].endswith("<youssef@example.ma>")
    # a GET (a mail scanner's prefetch) changes nothing
    page = client.get(path)
    assert page.status_code == 200
    db.session.expire_all()
    assert (
        db.session.get(Registration, registration.id).status
        == RegistrationStatus.PENDING_CONFIRMATION
    )
    raised = []
    handler = lambda sender, **kw: raised.append(kw)  # noqa: E731
    concern_raised.connect(handler)
    try:
        response = client.post(
            path, data={"csrf_token": csrf_token_from(page.get_data(as_text=True))}
        )
    finally:
        concern_raised.disconnect(handler)
    db.session.expire_all()
    registration = db.session.get(Registration, registration.id)
    assert registration.status == RegistrationStatus.ACCEPTED and registration.ticket_code
    assert response.headers["Location"].endswith(f"/t/{registration.ticket_code}")
    assert [r["text"] for r in raised] == ["Mon dossier AMO bloqué"]


def test_confirmation_link_expires(client, org, smtp_server):
    event = make_event(org)
    open_registration(event)
    _register(client, event)
    confirmation = db.session.scalar(sa.select(RegistrationConfirmation))
    confirmation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get(f"/confirm/{confirmation.token}")
    assert response.status_code == 410
    token = csrf_token_from(client.get(f"/e/{event.public_id}/register").get_data(as_text=True))
    response = client.post(f"/confirm/{confirmation.token}", data={"csrf_token": token})
    assert response.status_code == 410
    assert (
        db.session.scalar(sa.select(Registration.status)) == RegistrationStatus.PENDING_CONFIRMATION
    )
    assert client.get("/confirm/forged-token").status_code == 404


def test_approval_then_email(client, org, smtp_server):
    event = make_event(org)
    open_registration(event, requires_approval=True)
    _register(client, event)
    confirmation = db.session.scalar(sa.select(RegistrationConfirmation))
    page = client.get(f"/confirm/{confirmation.token}").get_data(as_text=True)
    client.post(f"/confirm/{confirmation.token}", data={"csrf_token": csrf_token_from(page)})
    db.session.expire_all()
    registration = db.session.scalar(sa.select(Registration))
    assert registration.status == RegistrationStatus.PENDING_APPROVAL
    from blueprints.rsvp import seats

    seats.approve(registration)
    db.session.commit()
    assert registration.status == RegistrationStatus.ACCEPTED
    deliver_due()
    subjects = [m["Subject"] for _, _, m in smtp_server.wait_for(2)]
    assert any(s.startswith("تذكرتك") for s in subjects)  # the language the form was filled in


def test_honeypot_keeps_nothing(client, org):
    event = make_event(org)
    open_registration(event)
    response = _register(client, event, {"website": "http://spam.example"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0


def test_the_same_email_twice_is_one_registration(client, org):
    event = make_event(org)
    open_registration(event)
    _register(client, event)
    _register(client, event, {"email": "youssef@example.MA"})
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(RegistrationConfirmation.id))) == 2


def test_hostile_visitor_input(client, org):
    event = make_event(org)
    open_registration(event)
    assert _register(client, event, {"full_name": "x" * 10000}).status_code == 422
    assert _register(client, event, {"email": "not-an-email"}).status_code == 422
    assert _register(client, event, {"phone": "call me"}).status_code == 422
    assert _register(client, event, {"consent": ""}).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0
    url = f"/e/{event.public_id}/register"
    assert client.post(url, data=VISITOR).status_code == 400  # no CSRF token
    response = _register(client, event, {"full_name": "<script>alert(1)</script>\u202e"})
    assert response.status_code == 302


def test_rate_limit_applies_to_the_public_pages(db_url, org):
    """The suite runs with rate limits off; a second app with them on shows they apply."""
    event = make_event(org)
    open_registration(event)
    from app import create_app
    from extensions import limiter
    from tests.conftest import _config_dict

    limited = create_app(
        {
            **_config_dict(),
            "SQLALCHEMY_DATABASE_URI": db_url,
            "RATELIMIT_ENABLED": True,
            "PUBLIC_RATE_LIMIT": "3 per minute",
        }
    )
    try:
        with limited.app_context():
            client = limited.test_client()
            register = [client.get(f"/e/{event.public_id}/register").status_code for _ in range(4)]
            answer_page = [client.get("/r/whatever").status_code for _ in range(4)]
    finally:
        limiter.enabled = False  # the limiter is one object shared with the suite's app
    assert register == [200, 200, 200, 429]
    assert answer_page == [404, 404, 404, 429]
