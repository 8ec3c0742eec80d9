"""Partner accounts deactivated and reactivated by organisers, and the "forgotten password"
of every account: a one-time sealed link by email, the same answer for any address."""

from __future__ import annotations

import re
from datetime import timedelta

from blueprints.auth.models import User
from core.outbox_delivery import deliver_due
from core.roles import Role
from extensions import db
from tests.conftest import PASSWORD, build_app, form_page_token, login, make_partner, make_user


def _partner_account(org, locale="ar"):
    partner = make_partner(org, "CNSS Nador")
    return partner, make_user(
        org, Role.PARTNER, "agent@cnss.example", locale, partner_id=partner.id
    )


def test_a_deactivated_partner_is_signed_out_at_once_and_told_why(app, as_organiser, organiser):
    partner, agent = _partner_account(organiser.organisation)
    phone = app.test_client()
    assert login(phone, agent.email).status_code == 302
    assert phone.get("/partner").status_code == 200

    url = f"/partners/{partner.id}/accounts/{agent.id}/active"
    token = form_page_token(as_organiser, f"/partners/{partner.id}/accounts")
    assert as_organiser.post(url, data={"csrf_token": token, "active": "0"}).status_code == 302
    page = as_organiser.get(f"/partners/{partner.id}/accounts").get_data(as_text=True)
    assert "data-inactive" in page

    assert phone.get("/partner").status_code == 302  # that session ended
    refused = login(phone, agent.email)
    assert refused.status_code == 200
    assert "هذا الحساب معطّل" in refused.get_data(as_text=True)  # the page's Arabic
    wrong = login(phone, agent.email, "not the password").get_data(as_text=True)
    assert "معطّل" not in wrong  # the password is checked first

    assert as_organiser.post(url, data={"csrf_token": token, "active": "1"}).status_code == 302
    assert login(phone, agent.email).status_code == 302
    assert phone.get("/partner").status_code == 200
    assert as_organiser.post(url, data={"csrf_token": token, "active": "x"}).status_code == 400


def test_another_organisations_organiser_cannot_deactivate(app, organiser):
    from tests.conftest import make_org

    partner, agent = _partner_account(organiser.organisation)
    beta = make_org("beta", name_fr="Beta")
    stranger = make_user(beta, Role.ORGANISER, "org@beta.example")
    client = app.test_client()
    login(client, stranger.email)
    token = form_page_token(client, "/account/password")
    url = f"/partners/{partner.id}/accounts/{agent.id}/active"
    assert client.post(url, data={"csrf_token": token, "active": "0"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(User, agent.id).active


def _ask(client, email):
    token = form_page_token(client, "/password/forgot")
    return client.post("/password/forgot", data={"csrf_token": token, "email": email})


def test_forgotten_password_by_email_once_and_same_answer_for_anyone(
    app, client, organiser, smtp_server
):
    _partner, agent = _partner_account(organiser.organisation, "ar")
    gone = make_user(organiser.organisation, Role.DOOR, "gone@alpha.example", active=False)
    known = _ask(client, "  Agent@CNSS.example ")
    unknown = _ask(client, "nobody@nowhere.example")
    inactive = _ask(client, gone.email)
    assert known.status_code == unknown.status_code == inactive.status_code == 200
    assert known.get_data() == unknown.get_data() == inactive.get_data()
    assert deliver_due() == (1, 0)
    ((_, rcpt, mail),) = smtp_server.wait_for(1)
    assert rcpt == [agent.email]
    text = mail.get_body(("plain",)).get_content()
    assert text.startswith("السلام عليكم")
    link = re.search(r"https?://\S+(/password/reset/\S+)", text).group(1)

    other = app.test_client()
    assert login(other, agent.email).status_code == 302  # a session opened before the reset
    page = client.get(link)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"  # the link is not sent on
    assert page.headers["Cache-Control"] == "no-store"
    token = form_page_token(client, link)
    short = client.post(link, data={"csrf_token": token, "new": "x", "confirm": "x"})
    assert short.status_code == 200 and "is-invalid" in short.get_data(as_text=True)
    new = "a brand new passphrase"
    done = client.post(link, data={"csrf_token": token, "new": new, "confirm": new})
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    assert client.get(link).status_code == 404  # once
    assert other.get("/partner").status_code == 302  # the older session ended
    assert login(app.test_client(), agent.email).status_code == 200  # the old password: no
    assert login(app.test_client(), agent.email, new).status_code == 302


def test_a_newer_or_expired_link_replaces_the_old_one(app, client, organiser, smtp_server):
    from blueprints.auth import reset

    first = reset.request_reset(organiser.email).reset
    second = reset.request_reset(organiser.email).reset
    db.session.commit()
    assert client.get(f"/password/reset/{first}").status_code == 404
    assert client.get(f"/password/reset/{second}").status_code == 200
    user = db.session.get(User, organiser.id)
    user.reset_expires_at = user.reset_expires_at - timedelta(hours=2)
    db.session.commit()
    assert client.get(f"/password/reset/{second}").status_code == 404
    assert client.get("/password/reset/" + "x" * 500).status_code == 404
    assert login(app.test_client(), organiser.email, PASSWORD).status_code == 302


def test_requests_are_limited_per_address_and_per_email(db_url):
    limited = build_app(
        db_url, RATELIMIT_ENABLED=True, WTF_CSRF_ENABLED=False,
        RESET_RATE_LIMIT="4 per hour", RESET_EMAIL_RATE_LIMIT="2 per hour",
    )  # fmt: skip
    with limited.app_context():
        client = limited.test_client()

        def ask(email, address="203.0.113.5"):
            return client.post(
                "/password/forgot", data={"email": email}, environ_base={"REMOTE_ADDR": address}
            ).status_code

        assert [ask("a@x.example"), ask("A@x.example "), ask("a@x.example")] == [200, 200, 429]
        assert ask("b@x.example") == 200  # another address asked for
        assert ask("c@x.example") == 200
        assert ask("e@x.example") == 429  # more than four from this client in the hour
        assert ask("d@x.example", "198.51.100.9") == 200
        assert ask("a@x.example", "198.51.100.9") == 429  # the email's limit, from anywhere
