"""The RSVP rush's clients (bench/rsvp_rush.py): one HTTP request over a fresh connection,
a form's GET then POST, a phase of concurrent clients and its figures, the baseline's phase."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from _serve import HOST, csrf_token


@dataclass
class Visit:
    """One person's POST that takes (or asks for) a place: when it left and came back."""

    key: str  # "inv:<invitation id>" or "open:<email>"
    sent: float
    done: float
    status: int


@dataclass
class Phase:
    name: str
    posts: list[float] = field(default_factory=list)  # POST latencies
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    visits: list[Visit] = field(default_factory=list)
    # CPU time of the gunicorn workers during the phase: steadier than requests per
    # second on a machine whose cores other processes share.
    server_cpu: float = float("nan")

    def cpu_per_post(self) -> float:
        """Server CPU milliseconds per POST (with the GET before it, when there is one)."""
        return self.server_cpu * 1000 / len(self.posts) if self.posts else float("nan")

    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        n = len(self.posts)
        if not n:
            return f"{self.name:<10} no requests (errors {self.errors})"
        q = (
            statistics.quantiles(self.posts, n=100, method="inclusive")
            if n > 1
            else [self.posts[0]] * 99
        )
        return (
            f"{self.name:<10} {self.requests:>6} req {self.rate():>7.1f} req/s  {n:>5} POSTs "
            f"{n / self.seconds:>7.1f}/s  POST p50 {q[49] * 1000:6.1f} ms  "
            f"p95 {q[94] * 1000:6.1f} ms  p99 {q[98] * 1000:6.1f} ms  errors {self.errors}  "
            f"server CPU {self.cpu_per_post():5.2f} ms/POST"
        )


async def http(port: int, method: str, path: str, form: dict | None = None, cookie: str = ""):
    """(status, headers as a dict of lists, body) over a fresh connection."""
    body = urlencode(form).encode() if form is not None else b""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close"]
    lines.append("Accept-Language: fr")
    if cookie:
        lines.append(f"Cookie: {cookie}")
    if form is not None:
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        data = await reader.read()
    finally:
        writer.close()
    head, _, payload = data.partition(b"\r\n\r\n")
    head_lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, list[str]] = {}
    for line in head_lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return int(head_lines[0][9:12]), headers, payload


def _cookie(headers) -> str:
    return "; ".join(c.split(";", 1)[0] for c in headers.get("set-cookie", []))


async def form_then_post(phase: Phase, port: int, path: str, fields: dict, key: str) -> bool:
    """GET the page (its CSRF token and session cookie), then POST the form; expect 302."""
    status, headers, page = await http(port, "GET", path)
    phase.requests += 1
    token = csrf_token(page.decode("utf-8", "replace"))
    if status != 200 or not token:
        phase.errors += 1
        return False
    sent = time.perf_counter()
    status, _headers, _ = await http(
        port, "POST", path, {**fields, "csrf_token": token}, _cookie(headers)
    )
    done = time.perf_counter()
    phase.requests += 1
    phase.posts.append(done - sent)
    phase.visits.append(Visit(key, sent, done, status))
    if status != 302:
        phase.errors += 1
        return False
    return True


def run(phase: Phase, clients: int, seconds: float, people, act, server=None) -> Phase:
    """`clients` concurrent clients each take the next person and `act` for them (and the
    CPU time `server`'s workers spent meanwhile)."""
    supply = iter(people)

    async def client(stop_at: float):
        loop = asyncio.get_running_loop()
        while loop.time() < stop_at:
            person = next(supply, None)
            if person is None:
                return
            try:
                await act(person)
            except (OSError, ValueError):
                phase.errors += 1

    async def all_clients():
        stop_at = asyncio.get_running_loop().time() + seconds
        await asyncio.gather(*(client(stop_at) for _ in range(clients)))

    cpu = server.cpu_seconds() if server is not None else float("nan")
    started = time.monotonic()
    asyncio.run(all_clients())
    phase.seconds = time.monotonic() - started
    if server is not None:
        phase.server_cpu = server.cpu_seconds() - cpu
    return phase


def baseline_phase(server, prepared, args) -> Phase:
    phase = Phase("baseline")
    port = server.port
    path = f"/baseline/{prepared.org_id}/{prepared.baseline_event_id}"

    async def act(_n):
        sent = time.perf_counter()
        status, _h, _b = await http(port, "POST", path, {})
        phase.requests += 1
        phase.posts.append(time.perf_counter() - sent)
        if status != 200:
            phase.errors += 1

    return run(phase, args.clients, args.seconds, range(args.invited), act, server)
