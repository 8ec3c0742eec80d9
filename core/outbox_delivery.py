"""Delivery: claim due messages, build them, send them over one SMTP connection, record.

See core.outbox for the queue and its states.
"""

from __future__ import annotations

import smtplib
import time
from datetime import datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from email.utils import formatdate, make_msgid

import sqlalchemy as sa
from flask import current_app, g

from core import dkim_signing, logs, mime, smtp
from core.db import utcnow
from core.outbox import BuiltEmail, OutboxMessage, OutboxState, SkipMessage, builder_for
from extensions import db

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)


def lease() -> timedelta:
    """How long a claimed message is a worker's (OUTBOX_LEASE_SECONDS, 5 minutes)."""
    seconds = current_app.config.get("OUTBOX_LEASE_SECONDS")
    return timedelta(seconds=int(seconds)) if seconds else LEASE


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failed attempt, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def claim_due(session, limit: int = 50, now: datetime | None = None) -> list[OutboxMessage]:
    """Take up to `limit` due messages for this worker and commit the claim.

    Due: queued with send_after passed, or left in `sending` by a worker whose lease ran
    out. On PostgreSQL rows are locked with SKIP LOCKED, so concurrent workers never
    take the same message. SQLite has no row locks but a single writer: there one
    UPDATE … WHERE id IN (the due ids) … RETURNING takes the rows, and as the due
    condition is evaluated by that statement under the database's write lock, two
    workers (the web process's and a `flask outbox work`) never take the same row.

    Each claimed message gets its Message-ID in the same commit, so that it is the same
    on every retry, even after a worker died between sending and recording.
    """
    now = now or utcnow()
    held = lease()
    due = sa.or_(
        sa.and_(OutboxMessage.state == OutboxState.QUEUED, OutboxMessage.send_after <= now),
        sa.and_(OutboxMessage.state == OutboxState.SENDING, OutboxMessage.lease_until < now),
    )
    order = (OutboxMessage.send_after, OutboxMessage.id)
    domain = _domain()
    if session.get_bind().dialect.name == "postgresql":
        stmt = sa.select(OutboxMessage).where(due).order_by(*order).limit(limit)
        messages = list(session.scalars(stmt.with_for_update(skip_locked=True)))
        for message in messages:
            message.state = OutboxState.SENDING
            message.lease_until = now + held
            message.attempts += 1
            if not message.message_id:
                message.message_id = make_msgid(domain=domain)
        session.commit()
        return messages
    due_ids = sa.select(OutboxMessage.id).where(due).order_by(*order).limit(limit)
    claimed = session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(due_ids.scalar_subquery()), due)
        .values(
            state=OutboxState.SENDING,
            lease_until=now + held,
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(OutboxMessage.id, OutboxMessage.message_id)
        .execution_options(synchronize_session=False)
    ).all()
    missing = [{"b_id": i, "b_mid": make_msgid(domain=domain)} for i, mid in claimed if not mid]
    if missing:
        table = OutboxMessage.__table__
        session.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("b_id"))
            .values(message_id=sa.bindparam("b_mid")),
            missing,
        )
    session.commit()
    if not claimed:
        return []
    return list(
        session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.id.in_([i for i, _ in claimed]))
            .order_by(*order)
            .execution_options(populate_existing=True)
        )
    )


def _domain() -> str:
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    return sender.rpartition("@")[2] or "localhost"


def to_bytes(message: OutboxMessage, built: BuiltEmail, sender: str, domain: str) -> bytes:
    """The whole email, ready for SMTP DATA (see core.mime for how and why it is written)."""
    if not message.message_id:
        message.message_id = make_msgid(domain=domain)
    headers = [
        ("From", mime.address(built.sender_name, sender)),
        ("To", mime.address(message.to_name, message.to_email)),
        ("Subject", mime.header_value(built.subject)),
        ("Date", formatdate(localtime=False)),
        ("Message-ID", message.message_id),  # the same on every retry
    ]
    if built.reply_to:
        headers.append(("Reply-To", mime.addresses(built.reply_to)))
    for name, value in built.headers.items():
        headers.append((name, mime.header_value(value)))
    return mime.message(headers, mime.body(built.text, built.html, built.attachments))


def to_mime(message: OutboxMessage, built: BuiltEmail, sender: str, domain: str) -> EmailMessage:
    """The email as an EmailMessage (what a mail client would parse), for inspection."""
    return message_from_bytes(to_bytes(message, built, sender, domain), policy=default)


def deliver_due(limit: int = 50, now: datetime | None = None) -> tuple[int, int]:
    """Claim due messages, send them over one SMTP connection; returns (sent, failed attempts).

    A failure puts the message back in the queue with a backoff, or marks it failed after
    MAX_ATTEMPTS. The outcomes of the whole round are recorded in one commit after its
    messages went out. Nothing is lost: a crash between sending and recording leaves the
    rows in `sending` until their lease ends, then they are sent again with the same
    Message-ID (given at claim time), so a crash may double at most one round's messages
    (at-least-once delivery; mail clients collapse the same Message-ID).
    """
    session = db.session
    messages = claim_due(session, limit, now)
    if not messages:
        return 0, 0
    # The objects the builders loaded (event, organisation, programme) stay loaded across
    # the round instead of being read again for every message.
    real_session = session()
    expire_on_commit, real_session.expire_on_commit = real_session.expire_on_commit, False
    try:
        return _deliver(session, messages)
    finally:
        real_session.expire_on_commit = expire_on_commit
        g.pop("_outbox_round", None)


def batch_cache() -> dict:
    """A dict that lives for one delivery round: builders keep there what many messages
    share (the event, its programme, the rendered parts common to every recipient),
    built once instead of once per message. `batch_cache()["messages"]` holds the
    round's messages, so that a builder may load what they all need in one query."""
    return g.setdefault("_outbox_round", {})


def _deliver(session, messages: list[OutboxMessage]) -> tuple[int, int]:
    config = current_app.config
    sender = config["MAIL_DEFAULT_SENDER"]
    domain = sender.rpartition("@")[2] or "localhost"
    batch_cache()["messages"] = messages
    sent = failed = 0
    # Outcomes are kept here and written once at the end: a builder's error rolls the
    # session back, which must not undo the outcomes of the messages before it.
    outcomes: list[tuple[OutboxMessage, str, str | BaseException | None]] = []
    # The lease each message was claimed with: only it may record an outcome.
    leases = {message.id: message.lease_until for message in messages}
    renew_at = time.monotonic() + lease().total_seconds() / 2
    connection = None
    try:
        for message in messages:
            if time.monotonic() >= renew_at:  # a slow round: keep what is still ours
                _renew(session, leases)
                renew_at = time.monotonic() + lease().total_seconds() / 2
            if message.id not in leases:
                continue  # its lease ran out and another worker took it
            try:
                built = builder_for(message.kind)(message)
            except SkipMessage as reason:
                outcomes.append((message, "skip", str(reason)))
                continue
            except Exception as error:  # noqa: BLE001 - a broken builder is recorded, retried
                failed += 1
                session.rollback()
                outcomes.append((message, "fail", error))
                continue
            try:
                data = to_bytes(message, built, sender, domain)
                signer = dkim_signing.signer(config)  # None unless DKIM_KEY_FILE is set
                if signer is not None:
                    data = signer.sign(data)
                if connection is None:
                    connection = smtp.open_connection(config)
                connection.sendmail(sender, [message.to_email], data)
            except Exception as error:  # noqa: BLE001 - every failure is recorded, then retried
                failed += 1
                outcomes.append((message, "fail", error))
                if isinstance(error, OSError | smtplib.SMTPException) and connection is not None:
                    smtp.close(connection)
                    connection = None
            else:
                sent += 1
                outcomes.append((message, "sent", None))
    finally:
        if connection is not None:
            smtp.close(connection)
        _record(session, outcomes, leases)
    return sent, failed


def _renew(session, leases: dict) -> None:
    """Extend the leases this worker still holds; forget the ones it lost."""
    table = OutboxMessage.__table__
    new_lease = utcnow() + lease()
    for message_id, mine in list(leases.items()):
        kept = session.execute(
            sa.update(table)
            .where(
                table.c.id == message_id,
                table.c.state == OutboxState.SENDING,
                table.c.lease_until == mine,
            )
            .values(lease_until=new_lease)
        ).rowcount
        if kept:
            leases[message_id] = new_lease
        else:
            del leases[message_id]
    session.commit()


def _record(session, outcomes, leases: dict) -> None:
    """Write each outcome, but only where this worker still holds the message's lease: a
    worker that was stuck past its lease must not overwrite what another one did since."""
    table = OutboxMessage.__table__
    now = utcnow()
    for message, outcome, detail in outcomes:
        lease = leases.get(message.id)
        if lease is None:
            continue
        logs.outbox_outcome(message, outcome, "" if detail is None else str(detail))
        values: dict = {"lease_until": None}
        if outcome == "sent":
            values.update(state=OutboxState.SENT, sent_at=now, last_error="")
        elif outcome == "skip":
            values.update(state=OutboxState.CANCELLED, last_error=detail[:2000])
        else:
            values.update(_failure(message, detail))
        session.execute(
            sa.update(table)
            .where(
                table.c.id == message.id,
                table.c.state == OutboxState.SENDING,
                table.c.lease_until == lease,
            )
            .values(**values)
        )
        session.expire(message)
    session.commit()


def _failure(message: OutboxMessage, error: Exception) -> dict:
    values = {"last_error": f"{type(error).__name__}: {error}"[:2000]}
    if message.attempts >= MAX_ATTEMPTS or isinstance(error, LookupError):
        values["state"] = OutboxState.FAILED
    else:
        values.update(state=OutboxState.QUEUED, send_after=utcnow() + backoff(message.attempts))
    return values
