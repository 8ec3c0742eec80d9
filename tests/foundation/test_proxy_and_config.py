"""Behind a reverse proxy, and with a production configuration that must be safe."""

from __future__ import annotations

import pytest
from flask import url_for

from app import create_app
from core import checks
from extensions import limiter
from tests.conftest import build_app

GOOD = {
    "ENV_NAME": "production",
    "SECRET_KEY": "k" * 64,
    "BASE_URL": "https://liqaa.example.ma",
    "MAIL_DEFAULT_SENDER": "liqaa@association.ma",
    "SQLALCHEMY_DATABASE_URI": "sqlite://",
    "OUTBOX_IN_PROCESS_WORKER": False,
}


def _limited_app(db_url, **overrides):
    app = build_app(
        db_url,
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="2 per minute",
        WTF_CSRF_ENABLED=False,
        **overrides,
    )
    with app.app_context():
        limiter.reset()
    return app


def _sign_ins(client, forwarded_for: str | None, times: int = 3) -> list[int]:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return [
        client.post(
            "/login", data={"email": "x@y.test", "password": "nope"}, headers=headers
        ).status_code
        for _ in range(times)
    ]


def test_two_clients_behind_a_trusted_proxy_have_their_own_limits(app, db_url):
    proxied = _limited_app(db_url, TRUSTED_PROXIES=1)
    with proxied.app_context():
        client = proxied.test_client()
        assert _sign_ins(client, "203.0.113.7") == [200, 200, 429]
        assert _sign_ins(client, "198.51.100.9") == [200, 200, 429]  # another member's phone


def test_a_forged_forwarded_for_changes_nothing_without_a_trusted_proxy(app, db_url):
    direct = _limited_app(db_url)  # TRUSTED_PROXIES = 0, the embedded default
    with direct.app_context():
        client = direct.test_client()
        assert _sign_ins(client, "203.0.113.7") == [200, 200, 429]
        assert _sign_ins(client, "198.51.100.9", times=1) == [429]  # same bucket: the socket's


def test_links_and_redirects_are_https_behind_the_proxy(app, db_url):
    proxied = build_app(db_url, TRUSTED_PROXIES=1)
    client = proxied.test_client()
    environ = {"wsgi.url_scheme": "http", "HTTP_X_FORWARDED_PROTO": "https",
               "HTTP_X_FORWARDED_HOST": "liqaa.example.ma", "REMOTE_ADDR": "10.0.0.2",
               "HTTP_X_FORWARDED_FOR": "203.0.113.7"}  # fmt: skip
    seen = {}

    @proxied.get("/_probe")
    def probe():
        from flask import request

        seen.update(url=url_for("site.healthz", _external=True), addr=request.remote_addr)
        return "ok"

    assert client.get("/_probe", environ_base=environ).status_code == 200
    assert seen == {"url": "https://liqaa.example.ma/healthz", "addr": "203.0.113.7"}


def test_without_a_trusted_proxy_the_scheme_header_is_ignored(app, db_url):
    direct = build_app(db_url)
    seen = {}

    @direct.get("/_probe")
    def probe():
        seen["url"] = url_for("site.healthz", _external=True)
        return "ok"

    environ = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_HOST": "evil.example"}
    assert direct.test_client().get("/_probe", environ_base=environ).status_code == 200
    assert seen["url"].startswith("http://localhost/")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"BASE_URL": "http://liqaa.example.ma"}, "BASE_URL is not https"),
        ({"MAIL_DEFAULT_SENDER": "liqaa@localhost"}, "MAIL_DEFAULT_SENDER"),
        ({"SQLALCHEMY_DATABASE_URI": "sqlite:////no-such-folder/liqaa.db"}, "not writable"),
    ],
)
def test_production_refuses_an_unsafe_configuration(change, words, monkeypatch):
    monkeypatch.delenv("LIQAA_SKIP_CHECK", raising=False)
    with pytest.raises(RuntimeError, match=words):
        create_app({**GOOD, **change})
    assert create_app(GOOD).config["BASE_URL"] == GOOD["BASE_URL"]  # the good one starts


def test_every_problem_is_reported_on_its_own_line(tmp_path):
    found = checks.problems(
        {"SECRET_KEY": "", "BASE_URL": "http://x", "SESSION_COOKIE_SECURE": True,
         "MAIL_DEFAULT_SENDER": "a@localhost", "SQLALCHEMY_DATABASE_URI": "sqlite://"},
        str(tmp_path),
    )  # fmt: skip
    assert len(found) == 3 and all("\n" not in line for line in found)


def test_flask_check_prints_the_settings_without_their_secrets(monkeypatch):
    app = create_app({**GOOD, "MAIL_PASSWORD": "hunter2-mail"})
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "No problem found." in result.output and "https://liqaa.example.ma" in result.output
    assert "k" * 64 not in result.output and "hunter2-mail" not in result.output
    assert "SECRET_KEY" in result.output and "set (64 characters)" in result.output


def test_secrets_can_come_from_files(tmp_path, monkeypatch):
    import importlib

    import config

    (tmp_path / "key").write_text("s" * 48 + "\n")
    (tmp_path / "mail").write_text("from-a-file\n")
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "key"))
    monkeypatch.setenv("MAIL_PASSWORD_FILE", str(tmp_path / "mail"))
    monkeypatch.setenv("SECRET_KEY", "ignored-when-the-file-is-set")
    reloaded = importlib.reload(config)
    try:
        assert reloaded.Config.SECRET_KEY == "s" * 48
        assert reloaded.Config.MAIL_PASSWORD == "from-a-file"
    finally:
        monkeypatch.delenv("SECRET_KEY_FILE")
        monkeypatch.delenv("MAIL_PASSWORD_FILE")
        monkeypatch.delenv("SECRET_KEY")
        importlib.reload(config)
