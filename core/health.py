"""Readiness: what an administrator needs to see at a glance (`/readyz`, `flask health`)."""

from __future__ import annotations

import sqlalchemy as sa

from core.db import utcnow
from core.outbox import OutboxMessage, OutboxState
from extensions import db

# Queued email older than this (and due) means no worker is delivering it.
STUCK_AFTER_SECONDS = 15 * 60


def readiness(config) -> dict:
    report: dict = {"status": "ok"}
    try:
        db.session.execute(sa.text("SELECT 1"))
        report["database"] = "ok"
        report["outbox"] = _outbox()
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        report.update(status="error", database="unreachable")
        return report
    report["redis"] = _redis(config.get("REDIS_URL"))
    if report["redis"] == "unreachable":
        report["status"] = "error"
    if (report["outbox"]["oldest_due_seconds"] or 0) > STUCK_AFTER_SECONDS:
        report["status"] = "error"
        report["outbox"]["stuck"] = True
    return report


def _outbox() -> dict:
    now = utcnow()
    queued, oldest = db.session.execute(
        sa.select(sa.func.count(OutboxMessage.id), sa.func.min(OutboxMessage.send_after)).where(
            OutboxMessage.state.in_([OutboxState.QUEUED, OutboxState.SENDING]),
            OutboxMessage.send_after <= now,
        )
    ).one()
    failed = db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.state == OutboxState.FAILED)
    )
    age = int((now - oldest).total_seconds()) if oldest is not None else None
    return {"due": int(queued), "oldest_due_seconds": age, "failed": int(failed or 0)}


def _redis(url: str | None) -> str:
    if not url:
        return "not used"
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return "unreachable"
    return "ok"
