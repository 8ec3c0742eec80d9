"""What the TLS reverse proxy costs: the RSVP page and the check-in API, through nginx
with TLS (deploy/nginx-liqaa.conf) and straight to gunicorn, in the same run.

    python bench/proxy_overhead.py [--seconds 10] [--clients 16]

PostgreSQL (a fresh database liqaa_bench_proxy), gunicorn with 2 workers, nginx with a
self-signed certificate on local ports, the demo data; rate limits off. Prints requests
per second and p50/p99 for each path and route. Needs nginx and openssl.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.deploy.test_stack import NGINX, _nginx_conf, _wait_for_port  # noqa: E402

PG = "postgresql://postgres@127.0.0.1:5432/liqaa_bench_proxy"
SEED = """
import sqlalchemy as sa
from app import create_app
from blueprints.auth.models import User
from blueprints.checkin import devices
from blueprints.events.models import Event
from blueprints.invitations.models import Invitation
from blueprints.rsvp.models import Registration
from extensions import db
app = create_app()
with app.app_context():
    today = db.session.scalar(sa.select(Event).where(Event.title_fr.like("%aujourd%")))
    door = db.session.scalar(sa.select(User).where(User.email.like("door@%")))
    _, token = devices.issue_device(today, "A", "bench", door)
    code = db.session.scalar(sa.select(Registration).where(
        Registration.event_id == today.id, Registration.ticket_code_hash.is_not(None))).ticket_code
    invitation = db.session.scalar(sa.select(Invitation)).token
    db.session.commit()
    print(json.dumps({"event": today.id, "device": token, "code": code, "rsvp": invitation}))
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(connect, requests, seconds: float, clients: int) -> tuple[float, float, float, int]:
    """`clients` threads, each on one kept-alive connection, cycling through `requests`."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client():
        conn, mine = connect(), []
        n = 0
        while time.monotonic() < stop:
            method, path, body, headers = requests[n % len(requests)]
            n += 1
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    errors[0] += 1
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                conn = connect()
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else 0.0
    return len(latencies) / seconds, statistics.median(latencies) * 1000, p99 * 1000, errors[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    if not Path(NGINX).exists():
        raise SystemExit("nginx is not installed (apt-get install nginx-light)")
    folder = Path(tempfile.mkdtemp(prefix="liqaa-proxy-"))
    app_port, http_port, https_port = free_port(), free_port(), free_port()
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
                    "DROP DATABASE IF EXISTS liqaa_bench_proxy WITH (FORCE)", "-c",
                    "CREATE DATABASE liqaa_bench_proxy", "postgres"], check=True)  # fmt: skip
    env = {
        **os.environ,
        "LIQAA_ENV": "production",
        "SECRET_KEY": "bench-" + "ab" * 32,
        "DATABASE_URL": PG,
        "BASE_URL": f"https://127.0.0.1:{https_port}",
        "TRUSTED_PROXIES": "1",
        "MAIL_DEFAULT_SENDER": "liqaa@bench.example",
        "OUTBOX_IN_PROCESS_WORKER": "0",
        "RATELIMIT_ENABLED": "0",
        "PYTHONPATH": str(ROOT),
    }
    flask = [str(Path(sys.executable).parent / "flask"), "--app", "app"]
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run([*flask, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    seed = subprocess.run([sys.executable, "-c", "import json\n" + SEED], cwd=ROOT, env=env,
                          check=True, capture_output=True, text=True)  # fmt: skip
    data = json.loads(seed.stdout.strip().splitlines()[-1])
    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "-b",
         f"127.0.0.1:{app_port}", "--forwarded-allow-ips", "127.0.0.1", "app:create_app()"],
        cwd=ROOT, env=env, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    nginx = subprocess.Popen(
        [NGINX, "-c", str(_nginx_conf(folder, http_port, https_port, app_port)), "-p",
         str(folder)]
    )  # fmt: skip
    try:
        _wait_for_port(app_port, gunicorn)
        _wait_for_port(https_port, nginx)
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        paths = {
            "gunicorn (http)": lambda: http.client.HTTPConnection("127.0.0.1", app_port),
            "nginx + TLS": lambda: http.client.HTTPSConnection(
                "127.0.0.1", https_port, context=context
            ),
        }
        scan = json.dumps({"code": data["code"]})
        routes = {
            "RSVP page": [("GET", f"/r/{data['rsvp']}", None, {})],
            "check-in API": [
                (
                    "POST",
                    f"/api/v1/events/{data['event']}/checkins",
                    scan,
                    {
                        "Authorization": f"Bearer {data['device']}",
                        "Content-Type": "application/json",
                    },
                ),
            ],  # fmt: skip
        }
        print(f"{args.clients} clients, {args.seconds:.0f} s each, gunicorn -w 2, PostgreSQL")
        for route, requests in routes.items():
            for name, connect in paths.items():
                load(connect, requests, 2, args.clients)  # warm-up
                rate, p50, p99, errors = load(connect, requests, args.seconds, args.clients)
                print(f"{route:<13} {name:<16} {rate:7.1f} req/s  p50 {p50:6.1f} ms  "
                      f"p99 {p99:6.1f} ms  errors {errors}")  # fmt: skip
    finally:
        for process in (nginx, gunicorn):
            process.send_signal(signal.SIGTERM)
            process.wait(20)


if __name__ == "__main__":
    main()
