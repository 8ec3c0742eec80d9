"""Signing in and out, passwords, staff accounts, the users command."""

from __future__ import annotations

import sqlalchemy as sa

from blueprints.auth.models import User
from core.roles import Role
from extensions import db
from tests.conftest import (
    PASSWORD,
    build_app,
    csrf_token_from,
    form_page_token,
    login,
    make_org,
    make_user,
)


def test_organiser_signs_in_and_lands_on_home(client, organiser):
    response = login(client, organiser.email)
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    home = client.get("/home")
    assert home.status_code == 200
    assert organiser.full_name in home.get_data(as_text=True)


def test_email_is_matched_whatever_its_case(client, organiser):
    assert login(client, organiser.email.upper()).status_code == 302


def test_wrong_password_and_unknown_account_get_the_same_answer(client, organiser):
    client.get("/lang/en")
    wrong = login(client, organiser.email, "not the password").get_data(as_text=True)
    unknown = login(client, "nobody@nowhere.test", "not the password").get_data(as_text=True)
    assert "Wrong email or password." in wrong
    assert "Wrong email or password." in unknown
    assert client.get("/home").status_code == 302  # still signed out


def test_wrong_password_message_is_in_the_users_language(client, organiser):
    client.get("/lang/ar")
    html = login(client, organiser.email, "nope").get_data(as_text=True)
    assert 'dir="rtl"' in html
    assert "Wrong email or password." not in html


def test_disabled_account_cannot_sign_in(client, organiser):
    organiser.active = False
    db.session.commit()
    assert login(client, organiser.email).status_code == 200
    assert client.get("/home").status_code == 302


def test_login_without_csrf_token_is_refused(client, organiser):
    response = client.post("/login", data={"email": organiser.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/home").status_code == 302


def test_forged_csrf_token_is_refused(client, organiser):
    client.get("/lang/en")
    response = client.post(
        "/login", data={"email": organiser.email, "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 400
    assert "The form expired" in response.get_data(as_text=True)


def test_overlong_input_is_rejected_with_a_message(client, organiser):
    client.get("/lang/en")
    token = form_page_token(client, "/login")
    response = client.post(
        "/login", data={"email": "a" * 10_000, "password": "b" * 10_000, "csrf_token": token}
    )
    assert response.status_code == 200
    assert "Field cannot be longer than" in response.get_data(as_text=True)


def test_open_redirect_after_login_is_ignored(client, organiser):
    html = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login?next=//evil.example/steal",
        data={"email": organiser.email, "password": PASSWORD, "csrf_token": csrf_token_from(html)},
    )
    assert response.headers["Location"] == "/"


def test_login_is_rate_limited(db_url):
    app = build_app(
        db_url, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute", WTF_CSRF_ENABLED=False
    )
    with app.app_context():
        client = app.test_client()
        codes = [
            client.post("/login", data={"email": "x@y.test", "password": "nope"}).status_code
            for _ in range(5)
        ]
    assert codes[:3] == [200, 200, 200]
    assert codes[3:] == [429, 429]


def test_logout_needs_post_and_signs_out(as_organiser):
    assert as_organiser.get("/logout").status_code == 405
    token = form_page_token(as_organiser, "/home")
    assert as_organiser.post("/logout", data={"csrf_token": token}).status_code == 302
    assert as_organiser.get("/home").status_code == 302


def test_change_password_signs_out_other_sessions(app, as_organiser, organiser):
    other_device = app.test_client()
    assert login(other_device, organiser.email).status_code == 302
    token = form_page_token(as_organiser, "/account/password")
    response = as_organiser.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "new": "a much longer secret",
            "confirm": "a much longer secret",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    assert as_organiser.get("/home").status_code == 200  # this session stays
    assert other_device.get("/home").status_code == 302  # the other one is signed out
    assert login(app.test_client(), organiser.email, "a much longer secret").status_code == 302


def test_change_password_checks_current_and_confirmation(as_organiser):
    as_organiser.get("/lang/en")
    token = form_page_token(as_organiser, "/account/password")
    html = as_organiser.post(
        "/account/password",
        data={
            "current": "wrong",
            "new": "long enough pass",
            "confirm": "different pass!",
            "csrf_token": token,
        },
    ).get_data(as_text=True)
    assert "The two passwords differ." in html
    html = as_organiser.post(
        "/account/password",
        data={
            "current": "wrong",
            "new": "long enough pass",
            "confirm": "long enough pass",
            "csrf_token": token,
        },
    ).get_data(as_text=True)
    assert "The current password is not right." in html


def test_owner_creates_a_door_account(as_owner, org):
    token = form_page_token(as_owner, "/staff/new")
    response = as_owner.post(
        "/staff/new",
        data={
            "full_name": "Youssef",
            "email": "Door2@Assoc.example",
            "role": "door",
            "locale": "ar",
            "password": "door password 1",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "door2@assoc.example"))
    assert user.role == Role.DOOR and user.organisation_id == org.id
    assert user.check_password("door password 1")


def test_owner_cannot_take_an_existing_email_or_remove_the_last_owner(as_owner, owner, door):
    as_owner.get("/lang/en")
    token = form_page_token(as_owner, "/staff/new")
    html = as_owner.post(
        "/staff/new",
        data={
            "full_name": "X",
            "email": door.email,
            "role": "door",
            "locale": "ar",
            "password": "door password 1",
            "csrf_token": token,
        },
    ).get_data(as_text=True)
    assert "An account with this email already exists." in html
    token = form_page_token(as_owner, f"/staff/{owner.id}")
    response = as_owner.post(
        f"/staff/{owner.id}",
        data={
            "full_name": "Me",
            "email": owner.email,
            "role": "organiser",
            "locale": "fr",
            "active": "y",
            "password": "",
            "csrf_token": token,
        },
        follow_redirects=True,
    )
    assert "An organisation needs at least one active owner." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, owner.id).role == Role.OWNER


def test_owner_cannot_edit_another_organisations_staff(as_owner):
    stranger = make_user(make_org("other"), Role.DOOR)
    assert as_owner.get(f"/staff/{stranger.id}").status_code == 404


def test_users_create_command(app, org):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "--org", org.slug, "--role", "door", "Gate@Assoc.example"],
        input="gate password 1\ngate password 1\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "gate@assoc.example"))
    assert user.role == Role.DOOR and user.check_password("gate password 1")
    bad = runner.invoke(
        args=["users", "create", "--org", "nope", "x@y.test"], input="pw12345678\npw12345678\n"
    )
    assert bad.exit_code != 0 and "No organisation" in bad.output


def test_staff_form_refuses_unknown_roles_and_oversized_names(as_owner):
    as_owner.get("/lang/en")
    token = form_page_token(as_owner, "/staff/new")
    base = {
        "full_name": "Y",
        "email": "new@assoc.example",
        "role": "door",
        "locale": "ar",
        "password": "door password 1",
        "csrf_token": token,
    }
    for bad, message in (
        ({"role": "superadmin"}, "Not a valid choice"),
        ({"full_name": "x" * 10_000}, "Field cannot be longer than 120 characters."),
        ({"email": "<script>@x"}, "Invalid email address."),
        ({"password": "short"}, "Field must be between 10 and 200 characters long."),
    ):
        response = as_owner.post("/staff/new", data={**base, **bad})
        assert response.status_code == 200
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User.id).where(User.email == "new@assoc.example")) is None


def test_signing_out_ends_the_copied_cookies_too(app, organiser):
    """Copy the cookies (session and remember-me), sign out, replay them: signed out."""
    browser = app.test_client()
    html = browser.get("/login").get_data(as_text=True)
    signed_in = browser.post(
        "/login",
        data={"email": organiser.email, "password": PASSWORD, "remember": "y",
              "csrf_token": csrf_token_from(html)},
    )  # fmt: skip
    assert signed_in.status_code == 302
    copied = {c.key: c.value for c in browser._cookies.values()}
    assert "session" in copied and "remember_token" in copied
    events = browser.get("/events")
    assert events.status_code == 200
    token = csrf_token_from(events.get_data(as_text=True))
    assert browser.post("/logout", data={"csrf_token": token}).status_code == 302
    thief = app.test_client()
    for name, value in copied.items():
        thief.set_cookie(name, value)
    assert thief.get("/events").status_code == 302  # sent to the sign-in page
    only_remember = app.test_client()
    only_remember.set_cookie("remember_token", copied["remember_token"])
    assert only_remember.get("/events").status_code == 302
