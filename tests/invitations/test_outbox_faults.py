"""A mail server that accepts and never answers, and a worker stuck past its lease: every
message leaves, none twice, and no worker writes over another's outcome."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from core import outbox_delivery
from core.db import utcnow
from core.outbox import OutboxMessage, OutboxState
from core.outbox_delivery import claim_due, deliver_due
from extensions import db
from tests.invitations.test_outbox_workers import _queue


class SilentServer:
    """Accepts TCP connections and never says a word (a hung mail server)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.held:
            conn.close()


def test_a_mail_server_that_never_answers_delays_mail_but_loses_and_doubles_none(
    app, org, smtp_server
):
    _queue(org, 3)
    silent = SilentServer()
    real = (app.config["MAIL_SERVER"], app.config["MAIL_PORT"])
    app.config.update(MAIL_PORT=silent.port, MAIL_TIMEOUT=1)
    try:
        started = time.monotonic()
        assert deliver_due() == (0, 3)  # each waited one timeout, none hung the worker
        assert time.monotonic() - started < 10
    finally:
        silent.close()
        app.config.update(MAIL_SERVER=real[0], MAIL_PORT=real[1], MAIL_TIMEOUT=30)
    db.session.expire_all()
    rows = db.session.scalars(sa.select(OutboxMessage)).all()
    assert {r.state for r in rows} == {OutboxState.QUEUED}  # back in the queue, with backoff
    assert all("timed out" in r.last_error or "Timeout" in r.last_error for r in rows)
    later = utcnow() + timedelta(minutes=5)
    assert deliver_due(now=later) == (3, 0)
    received = Counter(rcpt[0] for _, rcpt, _ in smtp_server.wait_for(3))
    assert received == {"p0@example.ma": 1, "p1@example.ma": 1, "p2@example.ma": 1}


def test_a_worker_stuck_past_its_lease_does_not_write_over_the_next_one(app, org, smtp_server):
    """Worker A claims, then hangs; its lease ends and worker B sends and records the
    messages. When A wakes up, its outcomes (for rows it no longer holds) are dropped."""
    _queue(org, 2)
    claimed_by_a = claim_due(db.session, limit=10)
    assert len(claimed_by_a) == 2
    leases_of_a = {m.id: m.lease_until for m in claimed_by_a}
    after_lease = utcnow() + outbox_delivery.LEASE + timedelta(seconds=1)
    assert deliver_due(now=after_lease) == (2, 0)  # worker B
    outcomes = [(m, "fail", OSError("A's connection broke")) for m in claimed_by_a]
    outbox_delivery._record(db.session, outcomes, leases_of_a)  # worker A, too late
    db.session.expire_all()
    states = Counter(db.session.scalars(sa.select(OutboxMessage.state)))
    assert states == {OutboxState.SENT: 2}
    assert len(smtp_server.wait_for(2)) == 2
