"""A newcomer's first run: links follow the port the server runs on, and without a mail
server the emails are kept and shown at /dev/mail, in development only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import dev_mail
from core.outbox_delivery import deliver_due
from extensions import db
from tests.conftest import login, make_event, make_member
from tests.invitations.conftest import invite

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _config_restored(app):
    """These tests play development and production on the session's app: undo it after."""
    saved = dict(app.config)
    yield
    app.config.clear()
    app.config.update(saved)


def _base_url(**env) -> str:
    """BASE_URL as a development server started with this environment sees it."""
    keep = {k: v for k, v in os.environ.items() if k not in ("BASE_URL", "FLASK_RUN_PORT")}
    result = subprocess.run(
        [sys.executable, "-c", "from config import DevelopmentConfig as C; print(C.BASE_URL)"],
        env={**keep, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_base_url_follows_the_port_of_make_run():
    assert _base_url(FLASK_RUN_PORT="5101") == "http://127.0.0.1:5101"
    everywhere = "0.0.0.0"  # noqa: S104 - what `make run HOST=0.0.0.0` passes
    assert _base_url(FLASK_RUN_HOST=everywhere, FLASK_RUN_PORT="5102") == "http://127.0.0.1:5102"
    assert _base_url() == "http://127.0.0.1:5000"
    assert _base_url(BASE_URL="https://liqaa.example.ma") == "https://liqaa.example.ma"


def test_flask_run_port_is_followed_in_development_only(app, client):
    app.config.update(ENV_NAME="development", BASE_URL_FOLLOWS_REQUESTS=True)
    client.get("/healthz", base_url="http://127.0.0.1:5101")
    assert app.config["BASE_URL"] == "http://127.0.0.1:5101"

    app.config.update(ENV_NAME="production", BASE_URL="https://liqaa.example.ma")
    client.get("/healthz", base_url="http://evil.example:80")
    assert app.config["BASE_URL"] == "https://liqaa.example.ma"


@pytest.fixture
def captured(app, tmp_path, _config_restored):
    app.config.update(ENV_NAME="development", MAIL_CAPTURE=True, MAIL_CAPTURE_DIR=str(tmp_path))
    return tmp_path


def test_development_keeps_the_emails_and_shows_them(app, client, org, organiser, captured):
    event = make_event(org, title_fr="Rencontre CNSS", title_ar="لقاء الضمان الاجتماعي")
    member = make_member(org, "<script>alert(1)</script> Karim", locale="fr")
    invite(event, member_ids=[member.id])
    assert deliver_due() == (1, 0)  # no mail server: kept in a file instead
    (eml,) = captured.glob("*.eml")

    login(client, organiser.email)
    listing = client.get("/dev/mail?lang=fr").get_data(as_text=True)
    assert "Invitation\u00a0: Rencontre CNSS" in listing
    assert member.email in listing
    page = client.get(f"/dev/mail/{eml.name}?lang=fr").get_data(as_text=True)
    assert f'src="/dev/mail/{eml.name}/html"' in page and "sandbox" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Karim" in page  # the text part, escaped

    frame = client.get(f"/dev/mail/{eml.name}/html")
    assert frame.status_code == 200
    assert frame.headers["Content-Security-Policy"].startswith("sandbox;")
    assert "script-src" not in frame.headers["Content-Security-Policy"]
    body = frame.get_data(as_text=True)
    assert "Rencontre CNSS" in body and "<script>alert(1)" not in body


def test_the_viewer_refuses_what_is_not_a_kept_email(client, organiser, captured):
    (captured / "secret.txt").write_text("not an email")
    login(client, organiser.email)
    assert client.get("/dev/mail/secret.txt").status_code == 404
    assert client.get("/dev/mail/..%2Fsecret.txt").status_code == 404
    assert client.get("/dev/mail/20261202T180000000000-0123456789ab.eml").status_code == 404
    assert "/dev/mail/secret.txt" not in client.get("/dev/mail").get_data(as_text=True)


def test_door_staff_may_not_read_the_mail(client, door, captured):
    login(client, door.email)
    assert client.get("/dev/mail").status_code == 403


def test_there_is_no_mail_viewer_in_production(app, client, owner, tmp_path):
    app.config.update(MAIL_CAPTURE=True, MAIL_CAPTURE_DIR=str(tmp_path))
    for env in ("production", "test"):
        app.config["ENV_NAME"] = env
        assert client.get("/dev/mail").status_code == 404  # signed out
        login(client, owner.email)
        assert client.get("/dev/mail").status_code == 404
        client.post("/logout")
    db.session.rollback()
    # and no email is kept instead of sent outside development
    assert not dev_mail.capturing({"MAIL_CAPTURE": True, "ENV_NAME": "production"})
