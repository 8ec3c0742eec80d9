"""The production shape, run here: gunicorn (3 workers) behind nginx with TLS, PostgreSQL,
Redis and two outbox workers in their own processes (or, for a small association, SQLite
with the in-process worker behind the same nginx), walked through https.

nginx runs deploy/nginx-liqaa.conf itself, with only its ports, paths and a self-signed
certificate changed. CI installs nginx and sets REQUIRE_DEPLOY=1: there a missing nginx
fails instead of skipping.
"""

from __future__ import annotations

import csv
import email
import email.policy
import gzip
import html
import http.client
import io
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from tests.conftest import free_port, is_postgres

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
REQUIRE = os.environ.get("REQUIRE_DEPLOY") == "1"
PASSWORD = "deploy-Owner-pass-2026"


# --------------------------------------------------------------------------- the parts


class Sink:
    """An SMTP server standing in for the association's mail provider."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"

    def wait(self, predicate, timeout: float = 60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.messages if predicate(m)]
            if found:
                return found
            time.sleep(0.2)
        raise AssertionError("no such email arrived")


class Browser:
    """An https client with cookies, from one source address (a member's phone)."""

    def __init__(self, port: int, source: str = "127.0.0.1"):
        self.port, self.source, self.cookies = port, source, {}
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE  # the test's self-signed certificate

    def request(self, method: str, path: str, form: dict | None = None, headers=None):
        conn = http.client.HTTPSConnection(
            "127.0.0.1", self.port, context=self.context, source_address=(self.source, 0)
        )
        sent = {"Accept-Encoding": "identity", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:  # as a browser posts a form it was shown
            body = urllib.parse.urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent.setdefault("Referer", f"https://127.0.0.1:{self.port}{path}")
            sent.setdefault("Origin", f"https://127.0.0.1:{self.port}")
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";")[0]
        conn.close()
        return response, data

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def upload(self, path: str, fields: dict, filename: str, content: bytes):
        """A multipart form with one file, as a browser sends it."""
        boundary = "liqaa-deploy-boundary"
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        ]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        conn = http.client.HTTPSConnection(
            "127.0.0.1", self.port, context=self.context, source_address=(self.source, 0)
        )
        conn.request("POST", path, body=body, headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Referer": f"https://127.0.0.1:{self.port}{path}",
            "Origin": f"https://127.0.0.1:{self.port}",
        })  # fmt: skip
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response, data

    def csrf(self, path: str) -> str:
        _, data = self.get(path)
        return re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', data).group(1).decode()


def _self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _nginx_conf(folder: Path, http_port: int, https_port: int, app_port: int) -> Path:
    """deploy/nginx-liqaa.conf with this machine's ports and paths, in a main config."""
    cert, key = _self_signed(folder)
    site = (ROOT / "deploy" / "nginx-liqaa.conf").read_text()
    site = re.sub(r"^\s*listen \[::\].*\n", "", site, flags=re.M)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl;")
    site = site.replace("/etc/letsencrypt/live/liqaa.example.ma/fullchain.pem", str(cert))
    site = site.replace("/etc/letsencrypt/live/liqaa.example.ma/privkey.pem", str(key))
    site = site.replace("server 127.0.0.1:8000", f"server 127.0.0.1:{app_port}")
    site = site.replace("alias /opt/liqaa/static/;", f"alias {ROOT / 'static'}/;")
    site = site.replace("/var/log/nginx/liqaa.access.log", str(folder / "access.log"))
    site = site.replace("root /var/www/html;", f"root {folder};")
    main = f"""
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
user root;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    {site}
}}
"""
    path = folder / "nginx.conf"
    path.write_text(main)
    return path


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{process.args[0]} exited with {process.returncode}")
        try:
            with socketlib().create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


def socketlib():
    import socket

    return socket


# --------------------------------------------------------------------------- the stack


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if not Path(NGINX).exists():
        if REQUIRE:
            raise AssertionError("nginx is not installed (apt-get install nginx-light)")
        pytest.skip("nginx is not installed")
    folder = tmp_path_factory.mktemp("stack")
    sink = Sink()
    sink.controller.start()
    app_port, http_port, https_port = free_port(), free_port(), free_port()
    postgres = is_postgres()
    database = f"liqaa_deploy_{os.getpid()}"
    admin_url = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    if postgres:
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{database}"')
        admin.dispose()
        url = f"postgresql://postgres@127.0.0.1:5432/{database}"
    else:
        url = f"sqlite:///{folder}/liqaa.db"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "LIQAA_"))},
        "LIQAA_ENV": "production",
        "SECRET_KEY": "deploy-" + "5e" * 32,
        "DATABASE_URL": url,
        "BASE_URL": f"https://127.0.0.1:{https_port}",
        "TRUSTED_PROXIES": "1",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(sink.port),
        "MAIL_DEFAULT_SENDER": "liqaa@deploy.example",
        "OUTBOX_IN_PROCESS_WORKER": "0" if postgres else "1",
        "REDIS_URL": "redis://127.0.0.1:6379/14" if postgres else "",
        "LOGIN_RATE_LIMIT": "5 per minute",
        "OUTBOX_LEASE_SECONDS": "8",  # a killed worker's round is sent again soon
        "PYTHONPATH": str(ROOT),
    }
    if postgres:
        subprocess.run(["redis-cli", "-n", "14", "FLUSHDB"], check=False, capture_output=True)
    flask = [str(Path(sys.executable).parent / "flask"), "--app", "app"]

    def run(*args):
        return subprocess.run([*flask, *args], cwd=ROOT, env=env, check=True,
                              capture_output=True, text=True, timeout=120)  # fmt: skip

    run("db", "upgrade")
    run("orgs", "create", "deploy", "--name-fr", "Association déployée")
    run("users", "create", "--org", "deploy", "--role", "owner", "--password", PASSWORD,
        "owner@deploy.example")  # fmt: skip
    run("demo")  # the meetings, members and their story, the invitations queued
    processes = []
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    workers = "3" if postgres else "1"
    processes.append(subprocess.Popen(
        [gunicorn, "-w", workers, "-b", f"127.0.0.1:{app_port}", "--forwarded-allow-ips",
         "127.0.0.1", "app:create_app()"], cwd=ROOT, env=env,
    ))  # fmt: skip
    outbox = []
    if postgres:
        for _ in range(2):
            outbox.append(subprocess.Popen([*flask, "outbox", "work"], cwd=ROOT, env=env))
        processes += outbox
    conf = _nginx_conf(folder, http_port, https_port, app_port)
    processes.append(subprocess.Popen([NGINX, "-c", str(conf), "-p", str(folder)]))
    try:
        _wait_for_port(app_port, processes[0])
        _wait_for_port(https_port, processes[-1])
        yield {
            "env": env,
            "https": https_port,
            "http": http_port,
            "sink": sink,
            "postgres": postgres,
            "folder": folder,
            "outbox": outbox,
            "run": run,
        }
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        sink.controller.stop()
        if postgres:
            admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            admin.dispose()


# --------------------------------------------------------------------------- the walk


def test_https_only_with_hsts_and_secure_cookies(stack):
    plain = http.client.HTTPConnection("127.0.0.1", stack["http"])
    plain.request("GET", "/login")
    moved = plain.getresponse()
    assert moved.status == 301 and moved.headers["Location"].startswith("https://")
    browser = Browser(stack["https"])
    response, _ = browser.get("/healthz")
    assert response.status == 200
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    assert len(response.headers["X-Request-ID"]) >= 8
    response, _ = browser.get("/login")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_the_owner_signs_in_through_the_proxy(stack):
    browser = Browser(stack["https"])
    token = browser.csrf("/login")
    response, _ = browser.request(
        "POST", "/login",
        form={"email": "owner@deploy.example", "password": PASSWORD, "csrf_token": token},
    )  # fmt: skip
    assert response.status == 302
    assert response.headers["Location"] in ("/", f"https://127.0.0.1:{stack['https']}/")
    response, data = browser.get("/events")
    assert response.status == 200 and b"<html" in data


def test_static_files_are_compressed_and_cached_for_good(stack):
    browser = Browser(stack["https"])
    _, page = browser.get("/login")
    css = re.search(rb'href="(/static/css/app\.css\?v=[0-9a-f]+)"', page).group(1).decode()
    response, data = browser.get(css, headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"{" in gzip.decompress(data)
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_pages_are_compressed_only_for_liqaas_own_requests(stack):
    """BREACH: nginx, like the application, sends uncompressed what another site asked for."""
    browser = Browser(stack["https"])
    for site, compressed in (("same-origin", True), ("none", True), ("cross-site", False)):
        headers = {"Accept-Encoding": "gzip", "Sec-Fetch-Site": site}
        response, data = browser.get("/login?next=/events", headers=headers)
        assert response.status == 200
        assert (response.headers.get("Content-Encoding") == "gzip") is compressed
        body = gzip.decompress(data) if compressed else data
        assert b'name="csrf_token"' in body
    response, data = browser.get("/login", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers and b"<html" in data


def test_rate_limits_are_per_client_behind_the_proxy(stack):
    def sign_ins(browser, times, forged=None):
        codes = []
        for _ in range(times):
            token = browser.csrf("/login")
            headers = {"X-Forwarded-For": forged} if forged else {}
            response, _ = browser.request(
                "POST", "/login",
                form={"email": "nobody@deploy.example", "password": "x", "csrf_token": token},
                headers=headers,
            )  # fmt: skip
            codes.append(response.status)
        return codes

    first = Browser(stack["https"], source="127.0.0.2")
    assert sign_ins(first, 6)[-1] == 429  # 5 a minute for this client
    # The same client cannot pick another bucket by forging the header…
    assert sign_ins(first, 1, forged="198.51.100.77") == [429]
    # …while another member's phone still signs in.
    assert sign_ins(Browser(stack["https"], source="127.0.0.3"), 1) == [200]


def test_an_invitation_leads_to_an_https_ticket_whose_qr_is_the_ticket_url(stack):
    import zxingcpp
    from PIL import Image

    sink = stack["sink"]
    base = f"https://127.0.0.1:{stack['https']}"

    def invitation(message):  # an invitation: its text holds the link to answer
        body = message.get_body(preferencelist=("plain",))
        return body is not None and f"{base}/r/" in body.get_content()

    invitations = sink.wait(invitation, timeout=90)
    assert all(m["List-Unsubscribe"] for m in invitations)
    body = invitations[0].get_body(preferencelist=("plain",)).get_content()
    link = re.search(re.escape(base) + r"/r/[A-Za-z0-9_-]+", body).group(0)
    assert all(u.startswith(base) for u in re.findall(r"https?://\S+", body) if "/r/" in u)

    phone = Browser(stack["https"], source="127.0.0.4")
    path = link.removeprefix(base)
    token = phone.csrf(path)
    response, page = phone.request(
        "POST", path, form={"answer": "accept", "consent": "y", "csrf_token": token}
    )
    assert response.status in (302, 200), page[:500]
    to = invitations[0]["To"].addresses[0].addr_spec

    def ticket_for_this_member(message):
        return (
            message["To"].addresses[0].addr_spec == to
            and message.get_content_type()
            in (
                "multipart/mixed",
                "multipart/alternative",
            )
            and any(p.get_content_type() == "image/png" for p in message.walk())
        )

    (ticket,) = sink.wait(ticket_for_this_member, timeout=90)[:1]
    png = next(p for p in ticket.walk() if p.get_content_type() == "image/png").get_content()
    (qr,) = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
    assert qr.startswith(f"{base}/t/")
    response, page = phone.get(qr.removeprefix(base))
    assert response.status == 200
    assert html.escape(qr.removeprefix(base)) not in (stack["folder"] / "access.log").read_text()


def test_personal_links_stay_out_of_the_access_log(stack):
    Browser(stack["https"]).get("/r/not-a-real-token-but-a-link")
    Browser(stack["https"]).get("/healthz")
    log = (stack["folder"] / "access.log").read_text()
    assert "/healthz" in log and "/r/" not in log and "/t/" not in log


BLAST = """
from datetime import datetime, timedelta
from app import create_app
from blueprints.events import services as events
from blueprints.invitations import services as invitations
from blueprints.members import importer
from blueprints.members import imports as members
from blueprints.orgs.models import Organisation
from extensions import db
import sqlalchemy as sa

app = create_app()
with app.app_context():
    org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == "deploy"))
    rows = "Nom;Email\\n" + "".join(f"Membre {n};blast{n}@blast.example\\n" for n in range(COUNT))
    table = importer.read_table(rows.encode(), "blast.csv")
    members.apply_rows(org.id, table, importer.guess_mapping(table.header),
                       update_existing=False, consent_source="test")
    start = datetime.now() + timedelta(days=20)
    event = events.create_event(org.id, events.EventData(
        title_ar="لقاء", title_fr="Rencontre de masse", venue_name="Salle",
        starts_at=start, ends_at=start + timedelta(hours=2), capacity=1000))
    events.publish(event)
    invitations.invite(event, invitations.Audience(everyone=True), None)
    db.session.commit()
"""


def test_a_worker_killed_mid_blast_loses_no_invitation(stack):
    """Two outbox workers; one is killed with SIGKILL while sending: every invitation still
    arrives, and only messages of the killed worker's round may arrive twice, with the same
    Message-ID (the README's promise: at-least-once, at most one round doubled)."""
    if not stack["postgres"]:
        pytest.skip("the embedded setup runs its worker inside the web process")
    count = 300
    sink = stack["sink"]
    subprocess.run(
        [sys.executable, "-c", BLAST.replace("COUNT", str(count))],
        cwd=ROOT, env=stack["env"], check=True, capture_output=True, timeout=120,
    )  # fmt: skip

    def to(message) -> str:
        return message["To"].addresses[0].addr_spec

    def blast():
        return [m for m in sink.messages if to(m).endswith("@blast.example")]

    deadline = time.monotonic() + 60
    while len(blast()) < 30 and time.monotonic() < deadline:
        time.sleep(0.05)
    victim = stack["outbox"][0]
    victim.send_signal(signal.SIGKILL)
    victim.wait(10)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if len({to(m) for m in blast()}) == count:
            break
        time.sleep(0.5)
    received = blast()
    per_address: dict[str, set[str]] = {}
    for message in received:
        per_address.setdefault(to(message), set()).add(message["Message-ID"])
    assert len(per_address) == count  # none lost
    assert all(len(ids) == 1 for ids in per_address.values())  # a repeat keeps its Message-ID
    assert len(received) - count <= 100  # at most one round of 100 sent twice


def test_a_survey_link_from_the_email_is_answered_through_the_proxy(stack):
    """The past meeting's survey invitation arrives with its https link; the person
    answers on their phone through nginx and is told the answer is recorded."""
    sink = stack["sink"]
    base = f"https://127.0.0.1:{stack['https']}"

    def survey_invitation(message):
        body = message.get_body(preferencelist=("plain",))
        return body is not None and f"{base}/s/" in body.get_content()

    invitations = sink.wait(survey_invitation, timeout=90)
    phone = Browser(stack["https"], source="127.0.0.5")
    for message in invitations:  # the first one nobody has answered yet
        text = message.get_body(preferencelist=("plain",)).get_content()
        path = re.search(re.escape(base) + r"(/s/[A-Za-z0-9_-]+)", text).group(1)
        response, page = phone.get(path)
        if b'id="sv-form"' in page:
            break
    else:
        raise AssertionError("every survey link was answered already")
    assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
    form = {"csrf_token": phone.csrf(path)}
    for name in dict.fromkeys(re.findall(rb'<input type="radio" name="(q\d+)"', page)):
        value = re.search(rb'name="' + name + rb'" value="([^"]+)"', page).group(1)
        form[name.decode()] = value.decode()
    response, _ = phone.request("POST", path, form=form)
    assert response.status == 302
    response, page = phone.get(path)
    assert response.status == 200 and b'id="sv-recorded"' in page


def test_the_owner_imports_members_and_invites_them_through_the_proxy(stack):
    """Owner (made with the CLI) signs in, imports a member file, creates and publishes a
    meeting, invites everyone: each imported member gets the invitation with https links."""
    owner = Browser(stack["https"], source="127.0.0.6")
    response, _ = owner.request(
        "POST", "/login",
        form={"email": "owner@deploy.example", "password": PASSWORD,
              "csrf_token": owner.csrf("/login")},
    )  # fmt: skip
    assert response.status == 302
    members = "Nom;Email;Téléphone\r\n" + "".join(
        f"Importé {n};imported{n}@import.example;06612345{n:02d}\r\n" for n in range(3)
    )
    response, _ = owner.upload(
        "/members/import", {"csrf_token": owner.csrf("/members/import")}, "liste.csv",
        members.encode("utf-8"),
    )  # fmt: skip
    assert response.status == 302, response.status
    preview = response.headers["Location"].replace(f"https://127.0.0.1:{stack['https']}", "")
    token = owner.csrf(preview)
    response, _ = owner.request(
        "POST",
        preview.rstrip("/") + "/confirm",
        form={"confirm-csrf_token": token, "csrf_token": token, "confirm-consent": "y"},
    )
    assert response.status == 302
    form = {
        "csrf_token": owner.csrf("/events/new"),
        "title_ar": "لقاء تواصلي", "title_fr": "Rencontre d'information",
        "venue_name": "Salle", "starts_at": "2031-03-20T15:30", "ends_at": "2031-03-20T19:30",
        "capacity": "50", "max_companions": "0",
    }  # fmt: skip
    response, _ = owner.request("POST", "/events/new", form=form)
    assert response.status == 302
    event_path = response.headers["Location"].replace(f"https://127.0.0.1:{stack['https']}", "")
    event_id = re.search(r"/events/(\d+)", event_path).group(1)
    response, _ = owner.request(
        "POST", f"/events/{event_id}/publish", form={"csrf_token": owner.csrf(event_path)}
    )
    assert response.status == 302
    new = f"/events/{event_id}/invitations/new"
    response, _ = owner.request(
        "POST", new, form={"csrf_token": owner.csrf(new), "everyone": "y", "confirm": "1"}
    )
    assert response.status == 302
    base = f"https://127.0.0.1:{stack['https']}"
    _, members_page = owner.get("/members")
    assert b"imported0@import.example" in members_page or "Importé 0".encode() in members_page

    def imported(message):
        return message["To"].addresses[0].addr_spec.endswith("@import.example")

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        arrived = {m["To"].addresses[0].addr_spec: m for m in stack["sink"].messages if imported(m)}
        if len(arrived) == 3:
            break
        time.sleep(0.3)
    assert len(arrived) == 3
    for message in arrived.values():
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert f"{base}/r/" in text and "http://" not in text


DEVICE = """
import json
import sqlalchemy as sa
from app import create_app
from blueprints.auth.models import User
from blueprints.checkin import devices
from blueprints.events.models import Event
from blueprints.rsvp.models import Registration
from extensions import db
app = create_app()
with app.app_context():
    today = db.session.scalar(sa.select(Event).where(Event.title_fr.like("%aujourd%")))
    door = db.session.scalar(sa.select(User).where(User.email.like("door@%")))
    _, token = devices.issue_device(today, "B", "deploy test", door)
    code = db.session.scalar(sa.select(Registration).where(
        Registration.event_id == today.id, Registration.checked_in_at.is_(None),
        Registration.ticket_code_hash.is_not(None)).order_by(Registration.id.desc())).ticket_code
    db.session.commit()
    print(json.dumps({"event": today.id, "token": token, "code": code}))
"""


def test_a_door_phone_scans_a_ticket_through_the_proxy(stack):
    import json

    done = subprocess.run(
        [sys.executable, "-c", DEVICE], cwd=ROOT, env=stack["env"], check=True,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    data = json.loads(done.stdout.strip().splitlines()[-1])
    base = f"https://127.0.0.1:{stack['https']}"
    phone = Browser(stack["https"], source="127.0.0.7")
    conn = http.client.HTTPSConnection("127.0.0.1", stack["https"], context=phone.context)
    body = json.dumps({"code": f"{base}/t/{data['code']}", "nonce": "deploy-scan-1"})
    headers = {"Authorization": f"Bearer {data['token']}", "Content-Type": "application/json"}
    for expected in ("admitted", "admitted"):  # a retry with the same nonce: the same answer
        conn.request("POST", f"/api/v1/events/{data['event']}/checkins", body, headers)
        response = conn.getresponse()
        answer = json.loads(response.read())
        assert response.status == 200 and answer["result"] == expected
    conn.close()


def test_an_answered_concern_reaches_the_member_by_email(stack):
    """The organiser answers concerns on the follow-up board through the proxy; a member
    who raised one, and agreed to be contacted, gets the answer by email."""
    organiser = Browser(stack["https"], source="127.0.0.8")
    response, _ = organiser.request(
        "POST", "/login",
        form={"email": "organiser@demo.liqaa.example", "password": "liqaa-demo-2018",
              "csrf_token": organiser.csrf("/login")},
    )  # fmt: skip
    assert response.status == 302
    _, board = organiser.get("/followups")
    ids = list(dict.fromkeys(re.findall(rb'href="/followups/(\d+)"', board)))
    assert ids
    answer = "Votre dossier est débloqué : réponse du test de déploiement."
    for followup_id in ids:
        path = f"/followups/{followup_id.decode()}"
        response, _ = organiser.request(
            "POST", path,
            form={"csrf_token": organiser.csrf(path), "status": "resolved",
                  "department": "Affiliation", "resolution": answer},
        )  # fmt: skip
        assert response.status in (200, 302)

    def carries_the_answer(message):
        body = message.get_body(preferencelist=("plain",))
        return body is not None and "débloqué" in body.get_content()

    (email_answer, *_) = stack["sink"].wait(carries_the_answer, timeout=60)
    # The concern was raised by one of the demo's members (not a guest or a staff account).
    with (ROOT / "demo" / "members.csv").open(encoding="utf-8") as handle:
        members = {row["Email"] for row in csv.DictReader(handle)}
    assert email_answer["To"].addresses[0].addr_spec in members
