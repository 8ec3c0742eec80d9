"""Headers, secrets, cookies, error pages, the health check."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app import create_app
from config import Config
from tests.conftest import build_app


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.get_data(as_text=True)  # no inline script anywhere


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app(
            {"ENV_NAME": "production", "SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
        )


def test_production_cookies_are_secure():
    assert Config.SESSION_COOKIE_SECURE and Config.SESSION_COOKIE_HTTPONLY
    assert Config.SESSION_COOKIE_SAMESITE == "Lax"
    assert Config.REMEMBER_COOKIE_SECURE


def test_session_cookie_flags_on_the_wire(db_url):
    app = build_app(db_url, SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    response = client.get("/lang/ar")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_development_creates_and_keeps_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.setattr("app.ROOT", tmp_path)
    first = create_app(
        {"ENV_NAME": "development", "SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    second = create_app(
        {"ENV_NAME": "development", "SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_not_found_page_in_the_users_language(client, lang):
    response = client.get(f"/no-such-page?lang={lang}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}"' in html


def test_forbidden_page_for_door_staff(as_door):
    response = as_door.get("/events?lang=en")
    assert response.status_code == 403
    assert "Your account is not allowed to open this page." in response.get_data(as_text=True)


def test_healthz_answers_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path):
    app = create_app(
        {
            "ENV_NAME": "test",
            "SECRET_KEY": "x" * 32,
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.db",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "unreachable"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(db_url, app):
    from extensions import db

    with db.engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            pytest.skip("SQLite pragmas only")
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1


def test_unexpected_errors_get_a_page_in_the_users_language(db_url):
    app = build_app(db_url, PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom?lang=fr")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in html and "RuntimeError" not in html


def test_personal_link_pages_and_exports_are_not_cached_nor_referred(client, as_organiser, org):
    from tests.checkin.conftest import make_registration, open_event_for

    event = open_event_for(org)
    ticket = make_registration(event)
    page = client.get(f"/t/{ticket.ticket_code}")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    export = as_organiser.get(f"/events/{event.id}/registrations/export.csv")
    assert export.status_code == 200 and export.headers["Cache-Control"] == "no-store"
    login_page = client.get("/login")
    assert login_page.headers["Referrer-Policy"] == "same-origin"


def test_exports_drop_bidi_controls_and_neutralise_hidden_formulas():
    from core import exports

    assert exports.neutralise("Karim\u202e evil") == "Karim evil"
    assert exports.neutralise("\u202e=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert exports.neutralise("  =1+1") == "'  =1+1"
    assert exports.neutralise("أحمد \u200f بنعلي") == "أحمد  بنعلي"
    data = exports.to_csv(["Nom"], [["\u2066=cmd\u2069"]]).decode("utf-8-sig")
    assert "\u2066" not in data and "'=cmd" in data


def test_a_405_says_which_methods_are_allowed(client):
    response = client.get("/logout")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]


def test_a_language_link_changes_the_session_not_the_account(as_organiser, organiser):
    from extensions import db as database

    before = organiser.locale
    assert as_organiser.get("/lang/en").status_code == 302
    database.session.refresh(organiser)
    assert organiser.locale == before  # a GET link writes nothing stored
    assert 'lang="en"' in as_organiser.get("/events").get_data(as_text=True)
