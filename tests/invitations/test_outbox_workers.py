"""The outbox never loses nor doubles a message: SMTP refusals, a dead worker, and
several workers draining the same queue."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from core import outbox, outbox_delivery, outbox_worker
from core.db import utcnow
from core.outbox import BuiltEmail, OutboxMessage, OutboxState, register_builders
from core.outbox_delivery import deliver_due
from extensions import db
from tests.conftest import is_postgres


def _bulk(message):
    return BuiltEmail(subject=f"n{message.payload['n']}", text="hello")


register_builders({"test-bulk": _bulk})


def _queue(org, count: int) -> None:
    outbox.enqueue_many(
        db.session,
        [
            {
                "key": f"bulk:{n}",
                "kind": "test-bulk",
                "to_email": f"p{n}@example.ma",
                "locale": "fr",
                "payload": {"n": n},
                "organisation_id": org.id,
            }
            for n in range(count)
        ],
    )
    db.session.commit()


def _states() -> Counter:
    return Counter(db.session.scalars(sa.select(OutboxMessage.state)))


def test_enqueue_many_skips_keys_already_queued(org):
    _queue(org, 5)
    _queue(org, 7)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 7


def test_smtp_refusing_then_back_delivers_everything_once(app, org, smtp_server):
    _queue(org, 20)
    smtp_server.refuse = True
    assert deliver_due() == (0, 20)
    assert _states() == Counter({OutboxState.QUEUED: 20})
    ids = dict(db.session.execute(sa.select(OutboxMessage.id, OutboxMessage.message_id)).all())
    smtp_server.refuse = False
    later = utcnow() + timedelta(minutes=2)
    assert deliver_due(limit=100, now=later) == (20, 0)
    received = smtp_server.wait_for(20)
    assert len(received) == 20
    assert Counter(r[0] for _, r, _ in received) == Counter(f"p{n}@example.ma" for n in range(20))
    # the retry kept each message's Message-ID
    assert {p["Message-ID"] for _, _, p in received} == set(ids.values())
    assert _states() == Counter({OutboxState.SENT: 20})


def test_smtp_down_backs_off_and_gives_up_after_the_maximum(app, org):
    app.extensions["mail"].port = 1  # nothing listens there
    _queue(org, 1)
    now = utcnow()
    for attempt in range(1, outbox_delivery.MAX_ATTEMPTS + 1):
        assert deliver_due(now=now) == (0, 1)
        message = db.session.scalar(sa.select(OutboxMessage))
        assert message.attempts == attempt and "Error" in message.last_error
        now = message.send_after + timedelta(seconds=1)
    assert message.state == OutboxState.FAILED
    assert deliver_due(now=now + timedelta(days=1)) == (0, 0)


def test_a_dead_workers_messages_are_taken_back_after_the_lease(app, org, smtp_server):
    _queue(org, 3)
    claimed = outbox_delivery.claim_due(db.session, limit=3)  # the worker dies right after claiming
    assert len(claimed) == 3
    assert deliver_due() == (0, 0)  # still leased
    after_lease = utcnow() + outbox_delivery.LEASE + timedelta(seconds=1)
    assert deliver_due(now=after_lease) == (3, 0)
    assert len(smtp_server.wait_for(3)) == 3


def test_cli_work_once_drains_the_queue(app, org, smtp_server):
    _queue(org, 12)
    result = app.test_cli_runner().invoke(args=["outbox", "work", "--once", "--concurrency", "2"])
    assert result.exit_code == 0, result.output
    assert "sent 12" in result.output
    assert len(smtp_server.wait_for(12)) == 12
    db.session.expire_all()
    assert _states() == Counter({OutboxState.SENT: 12})


def _drain_with_workers(app, workers: int) -> list[int]:
    totals: list[int] = []
    threads = [
        threading.Thread(target=lambda: totals.append(outbox_worker.work(app, once=True, batch=25)))
        for _ in range(workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    return totals


def test_two_workers_never_send_the_same_message_twice(app, org, smtp_server):
    count = 2000 if is_postgres() else 300
    _queue(org, count)
    totals = _drain_with_workers(app, 2)
    received = smtp_server.wait_for(count, timeout=60)
    recipients = Counter(r[0] for _, r, _ in received)
    assert len(received) == count, f"got {len(received)}"
    assert set(recipients.values()) == {1}
    assert sum(totals) == count
    db.session.expire_all()
    assert _states() == Counter({OutboxState.SENT: count})
    if is_postgres():
        assert all(t > 0 for t in totals), totals  # both workers took a share


@pytest.mark.skipif(is_postgres(), reason="SQLite-specific: the in-process worker")
def test_in_process_worker_delivers_in_the_background(app, org, smtp_server, monkeypatch):
    _queue(org, 4)
    monkeypatch.setattr(outbox_worker, "_IN_PROCESS", {})
    monkeypatch.setattr(outbox_worker, "IDLE_SLEEP", 0.1)
    app.config.update(OUTBOX_IN_PROCESS_WORKER=True, TESTING=False)
    try:
        stop = outbox_worker.start_in_process_worker(app)
        assert stop is not None
        assert outbox_worker.start_in_process_worker(app) is stop  # once per process
        assert len(smtp_server.wait_for(4)) == 4
    finally:
        app.config.update(OUTBOX_IN_PROCESS_WORKER=False, TESTING=True)
        stop.set()
        outbox_worker._IN_PROCESS["thread"].join(5)
    assert outbox_worker.start_in_process_worker(app) is None  # off in tests and when disabled
