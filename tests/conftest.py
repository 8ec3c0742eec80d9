"""Shared fixtures: the app on SQLite (or TEST_DATABASE_URL), a clean database per test,
signed-in clients, a real SMTP server, and small factories.

Feature-specific fixtures live in tests/<feature>/conftest.py.
"""

from __future__ import annotations

import contextvars
import email
import email.policy
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from app import create_app
from blueprints.auth.models import User
from blueprints.events.models import Event, EventStatus, ProgrammeItem
from blueprints.members.models import Member, MemberCategory
from blueprints.orgs.models import Organisation, Partner
from config import TestConfig
from core.db import utcnow
from core.roles import Role
from extensions import db

PASSWORD = "correct horse battery"
POSTGRES = os.environ.get("TEST_DATABASE_URL", "")


def database_url(tmp_path_factory) -> str:
    if POSTGRES:
        return POSTGRES
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'liqaa-test.db'}"


def is_postgres() -> bool:
    return bool(POSTGRES)


@pytest.fixture(scope="session")
def db_url(tmp_path_factory):
    return database_url(tmp_path_factory)


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, as in production.

    Tests hold an app context open (for factories); without this, requests would share
    its `g` and so Flask-Login's cached user and Flask-Babel's cached locale.
    """

    def open(self, *args, **kwargs):
        # A streamed download is read inside that context too (its generator holds the
        # request context); tests/foundation/test_exports_streamed.py reads one lazily.
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


def build_app(db_url: str, **overrides):
    application = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": db_url, **overrides})
    application.test_client_class = IsolatedClient
    return application


@pytest.fixture(scope="session")
def app(db_url):
    """One app for the session; the schema is created from the models once."""
    application = build_app(db_url)
    with application.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        else:
            db.drop_all()
        db.create_all()
    return application


def _config_dict() -> dict:
    return {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Every test starts from empty tables (a truncate, so threads and commits are fine)."""
    if "app" not in request.fixturenames:
        yield
        return
    application = request.getfixturevalue("app")
    settings = dict(application.config)
    with application.app_context():
        yield
        db.session.remove()
        _truncate_all()
    _settings_restored(settings, application.config)


def _settings_restored(before: dict, after) -> None:
    """The app lives for the whole session: a setting a test changes and leaves changed makes
    a later test fail far away (a default language left at "en" once did). Fail here instead."""
    missing = object()
    changed = sorted(
        key
        for key in set(before) | set(after)
        if before.get(key, missing) != after.get(key, missing)
    )
    assert not changed, f"this test left app settings changed: {changed} (use monkeypatch)"


def _truncate_all() -> None:
    tables = [t.name for t in db.metadata.sorted_tables]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            quoted = ", ".join(f'"{name}"' for name in tables)
            conn.execute(sa.text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            for name in reversed(tables):
                conn.execute(sa.text(f'DELETE FROM "{name}"'))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def matrix_app(app):
    """The app with CSRF off: a request shows the access decision, not form validation
    (tests/test_route_permissions.py, tests/test_query_counts.py)."""
    app.config.update(WTF_CSRF_ENABLED=False)
    yield app
    app.config.update(WTF_CSRF_ENABLED=TestConfig.WTF_CSRF_ENABLED)


# --------------------------------------------------------------------------- factories


def make_org(slug: str = "assoc", name_fr: str = "Association test", **fields) -> Organisation:
    org = Organisation(
        slug=slug,
        name_fr=name_fr,
        name_ar=fields.pop("name_ar", "جمعية تجريبية"),
        sender_name=fields.pop("sender_name", name_fr),
        **fields,
    )
    db.session.add(org)
    db.session.commit()
    return org


def make_user(
    org: Organisation,
    role: Role = Role.ORGANISER,
    email: str | None = None,
    locale: str = "fr",
    password: str = PASSWORD,
    **fields,
) -> User:
    user = User(
        organisation_id=org.id,
        email=email or f"{role.value}@{org.slug}.example",
        role=role,
        full_name=fields.pop("full_name", f"{role.value.title()} {org.slug}"),
        locale=locale,
        **fields,
    )
    user.set_password(password, TestConfig.PASSWORD_HASH_METHOD)
    db.session.add(user)
    db.session.commit()
    return user


def make_partner(org: Organisation, name_fr: str = "CNSS Oujda", **fields) -> Partner:
    partner = Partner(
        organisation_id=org.id,
        name_fr=name_fr,
        name_ar=fields.pop("name_ar", "الضمان الاجتماعي"),
        **fields,
    )
    db.session.add(partner)
    db.session.commit()
    return partner


def make_event(
    org: Organisation,
    *,
    status: EventStatus = EventStatus.PUBLISHED,
    starts_in: timedelta = timedelta(days=14),
    hours: int = 4,
    **fields,
) -> Event:
    starts = (utcnow() + starts_in).replace(second=0, microsecond=0)
    event = Event(
        organisation_id=org.id,
        title_ar=fields.pop("title_ar", "لقاء تواصلي"),
        title_fr=fields.pop("title_fr", "Rencontre d'information"),
        title_en=fields.pop("title_en", "Information meeting"),
        venue_name=fields.pop("venue_name", "Salle CNSS Nador"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        capacity=fields.pop("capacity", 120),
        max_companions=fields.pop("max_companions", 1),
        status=status,
        **fields,
    )
    if status != EventStatus.DRAFT:
        event.published_at = utcnow()
    event.programme = [
        ProgrammeItem(position=0, title_ar="كلمة الافتتاح", title_fr="Mot d'ouverture"),
        ProgrammeItem(position=1, title_ar="أسئلة وأجوبة", title_fr="Questions et réponses"),
    ]
    db.session.add(event)
    db.session.commit()
    return event


def make_member(org: Organisation, full_name: str = "Karim Benali", **fields) -> Member:
    n = db.session.scalar(sa.select(sa.func.count(Member.id))) or 0
    member = Member(
        organisation_id=org.id,
        full_name=full_name,
        email=fields.pop("email", f"member{n + 1}@example.ma"),
        phone=fields.pop("phone", f"+2126612{n + 1:05d}"),
        locale=fields.pop("locale", "fr"),
        category=fields.pop("category", MemberCategory.MEMBER),
        **fields,
    )
    member.search_text = f"{member.full_name} {member.email or ''}".lower()
    db.session.add(member)
    db.session.commit()
    return member


# --------------------------------------------------------------------------- signing in


def csrf_token_from(html: str) -> str:
    marker = 'name="csrf_token" type="hidden" value="'
    start = html.find(marker)
    if start == -1:
        marker = 'name="csrf_token" value="'
        start = html.find(marker)
    assert start != -1, "no CSRF token in the page"
    start += len(marker)
    return html[start : html.index('"', start)]


def login(client, email: str, password: str = PASSWORD):
    html = client.get("/login").get_data(as_text=True)
    data = {"email": email, "password": password}
    if "csrf_token" in html:
        data["csrf_token"] = csrf_token_from(html)
    return client.post("/login", data=data)


@pytest.fixture
def org(app):
    return make_org()


@pytest.fixture
def owner(org):
    return make_user(org, Role.OWNER)


@pytest.fixture
def organiser(org):
    return make_user(org, Role.ORGANISER)


@pytest.fixture
def door(org):
    return make_user(org, Role.DOOR)


@pytest.fixture
def as_organiser(client, organiser):
    assert login(client, organiser.email).status_code == 302
    return client


@pytest.fixture
def as_owner(client, owner):
    assert login(client, owner.email).status_code == 302
    return client


@pytest.fixture
def as_door(client, door):
    assert login(client, door.email).status_code == 302
    return client


def form_page_token(client, url: str) -> str:
    return csrf_token_from(client.get(url).get_data(as_text=True))


# --------------------------------------------------------------------------- real SMTP server


@dataclass
class SmtpSink:
    """Messages received by a real aiosmtpd server, parsed with the email package."""

    host: str
    port: int
    messages: list = field(default_factory=list)
    raw: list = field(default_factory=list)  # the same messages as received, in bytes
    refuse: bool = False

    def wait_for(self, count: int, timeout: float = 10.0) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


class _Handler:
    def __init__(self, sink: SmtpSink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.sink.refuse:
            return "451 Try again later"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.sink.raw.append(envelope.original_content or envelope.content)
        self.sink.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on a free port; the app's mail settings point at it."""
    sink = SmtpSink("127.0.0.1", free_port())
    controller = Controller(_Handler(sink), hostname=sink.host, port=sink.port)
    controller.start()
    old = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER=sink.host, MAIL_PORT=sink.port)
    mail_ext = app.extensions.get("mail")
    if mail_ext is not None:
        mail_ext.server, mail_ext.port = sink.host, sink.port
    yield sink
    controller.stop()
    app.config.update(old)
    if mail_ext is not None:
        mail_ext.server, mail_ext.port = old["MAIL_SERVER"], old["MAIL_PORT"]


def aware(year, month, day, hour=0, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --------------------------------------------------------------------------- real browser

CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_args(fake_camera_file: str | None = None) -> list[str]:
    """Debian chromium's flags here; with a Y4M file it becomes the camera."""
    args = list(CHROMIUM_ARGS)
    if fake_camera_file:
        args += [
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={fake_camera_file}",
        ]
    return args


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: runs in a real chromium (Playwright)")


def pytest_collection_modifyitems(config, items):
    """Browser tests run wherever chromium is; in CI (REQUIRE_BROWSER=1) they never skip."""
    if os.path.exists(CHROMIUM) or REQUIRE_BROWSER:
        return
    skip = pytest.mark.skip(reason=f"no chromium at {CHROMIUM} (set REQUIRE_BROWSER=1 to fail)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright: launch Debian's chromium, no downloaded browser."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": chromium_args()}


@pytest.fixture
def live_server(app):
    """The app on 127.0.0.1:<free port> in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    old_base = app.config["BASE_URL"]
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app.config["BASE_URL"]
    app.config["BASE_URL"] = old_base
    server.shutdown()
    thread.join(5)


@pytest.fixture
def artifacts_dir():
    """Screenshots kept after the run (test-artifacts/, ignored by git)."""
    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "test-artifacts")
    os.makedirs(path, exist_ok=True)
    return path
