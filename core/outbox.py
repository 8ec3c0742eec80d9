"""The durable email queue.

A feature never sends mail from a request. It calls `enqueue()` inside the same
transaction as the change that caused the message; workers (`flask outbox work`,
or the in-process worker of the embedded setup) build and deliver it later.

A message is built at delivery time by the builder registered for its `kind`
(`@register_builder("invitation")`), from the JSON `payload` stored with it, so
that the email always shows the event as it is when it leaves.
States: queued -> sending -> sent | failed | cancelled.
"""

from __future__ import annotations

import contextlib
import enum
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

import sqlalchemy as sa
from flask import current_app, g
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, str_enum, utcnow
from extensions import db, mail


class OutboxState(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class OutboxMessage(Base):
    __tablename__ = "outbox_message"
    __table_args__ = (sa.Index("ix_outbox_message_due", "state", "send_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(sa.String(200), unique=True, comment="never queued twice")
    kind: Mapped[str] = mapped_column(sa.String(40), index=True, comment="names the builder")
    to_email: Mapped[str] = mapped_column(sa.String(254))
    to_name: Mapped[str] = mapped_column(sa.String(200), default="")
    locale: Mapped[str] = mapped_column(sa.String(5), default="ar")
    payload: Mapped[dict] = mapped_column(sa.JSON, default=dict, comment="the builder's input")
    state: Mapped[OutboxState] = mapped_column(
        str_enum(OutboxState, "outbox_state"), default=OutboxState.QUEUED
    )
    send_after: Mapped[datetime] = mapped_column(default=utcnow, comment="UTC")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    lease_until: Mapped[datetime | None] = mapped_column(comment="a worker holds it until then")
    message_id: Mapped[str | None] = mapped_column(sa.String(250), comment="Message-ID header")
    sent_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Optional links so that pages can show each person's delivery state.
    invitation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invitation.id", ondelete="SET NULL"), index=True
    )
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )


@dataclass
class BuiltEmail:
    """What a builder returns: everything but the envelope, which the worker adds."""

    subject: str
    text: str
    html: str | None = None
    reply_to: str | None = None
    sender_name: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    # (filename, mimetype, bytes, content_id or None for a plain attachment)
    attachments: list[tuple[str, str, bytes, str | None]] = field(default_factory=list)


class SkipMessage(Exception):  # noqa: N818 - it is an outcome, not an error
    """Raised by a builder when the message must not leave any more (the invitee answered,
    unsubscribed, the invitation is gone): the row is cancelled with the reason."""


Builder = Callable[[OutboxMessage], BuiltEmail]
_BUILDERS: dict[str, Builder] = {}


def register_builder(kind: str) -> Callable[[Builder], Builder]:
    def decorate(fn: Builder) -> Builder:
        _BUILDERS[kind] = fn
        return fn

    return decorate


def builder_for(kind: str) -> Builder:
    try:
        return _BUILDERS[kind]
    except KeyError:
        raise LookupError(f"no email builder registered for kind {kind!r}") from None


def enqueue(
    session,
    *,
    key: str,
    kind: str,
    to_email: str,
    locale: str,
    payload: dict,
    organisation_id: int | None = None,
    to_name: str = "",
    send_after: datetime | None = None,
    invitation_id: int | None = None,
    registration_id: int | None = None,
) -> OutboxMessage | None:
    """Queue one message in the caller's transaction; None if `key` is queued already.

    The caller commits. The unique `key` makes enqueueing idempotent: the same
    reminder for the same invitation on the same day is one row, whoever asks.
    """
    exists = session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.key == key))
    if exists is not None:
        return None
    message = OutboxMessage(
        key=key,
        kind=kind,
        to_email=to_email,
        to_name=to_name,
        locale=locale,
        payload=payload,
        organisation_id=organisation_id,
        send_after=send_after or utcnow(),
        invitation_id=invitation_id,
        registration_id=registration_id,
    )
    try:
        with session.begin_nested():  # a concurrent enqueue of the same key loses quietly
            session.add(message)
    except IntegrityError:
        return None
    return message


# --------------------------------------------------------------------------- delivery

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failed attempt, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def claim_due(session, limit: int = 50, now: datetime | None = None) -> list[OutboxMessage]:
    """Take up to `limit` due messages for this worker and commit the claim.

    Due: queued with send_after passed, or left in `sending` by a worker whose lease ran
    out. On PostgreSQL rows are locked with SKIP LOCKED, so concurrent workers never
    take the same message. SQLite has no row locks: there each row is taken by a
    conditional UPDATE (same state and attempt count as read), so that two workers
    (the web process's and a `flask outbox work`) still never take the same row.
    """
    now = now or utcnow()
    stmt = (
        sa.select(OutboxMessage)
        .where(
            sa.or_(
                sa.and_(OutboxMessage.state == OutboxState.QUEUED, OutboxMessage.send_after <= now),
                sa.and_(
                    OutboxMessage.state == OutboxState.SENDING, OutboxMessage.lease_until < now
                ),
            )
        )
        .order_by(OutboxMessage.send_after, OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
        messages = list(session.scalars(stmt))
        for message in messages:
            message.state = OutboxState.SENDING
            message.lease_until = now + LEASE
            message.attempts += 1
        session.commit()
        return messages
    seen = [(m.id, m.state, m.attempts) for m in session.scalars(stmt)]
    taken = []
    for message_id, state, attempts in seen:
        result = session.execute(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.state == state,
                OutboxMessage.attempts == attempts,
            )
            .values(state=OutboxState.SENDING, lease_until=now + LEASE, attempts=attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            taken.append(message_id)
    session.commit()
    if not taken:
        return []
    return list(
        session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.id.in_(taken))
            .order_by(OutboxMessage.send_after, OutboxMessage.id)
            .execution_options(populate_existing=True)
        )
    )


def to_mime(message: OutboxMessage, built: BuiltEmail, sender: str, domain: str) -> EmailMessage:
    mime = EmailMessage()
    mime["From"] = formataddr((built.sender_name, sender)) if built.sender_name else sender
    mime["To"] = formataddr((message.to_name, message.to_email))
    mime["Subject"] = built.subject
    mime["Date"] = formatdate(localtime=False)
    if not message.message_id:
        message.message_id = make_msgid(domain=domain)
    mime["Message-ID"] = message.message_id  # the same on every retry
    if built.reply_to:
        mime["Reply-To"] = built.reply_to
    for name, value in built.headers.items():
        mime[name] = value
    mime.set_content(built.text)
    if built.html:
        mime.add_alternative(built.html, subtype="html")
        html_part = mime.get_payload()[-1]
        for filename, mimetype, data, content_id in built.attachments:
            if content_id:
                maintype, subtype = mimetype.split("/", 1)
                html_part.add_related(
                    data,
                    maintype=maintype,
                    subtype=subtype,
                    cid=f"<{content_id}>",
                    filename=filename,
                    disposition="inline",
                )
    for filename, mimetype, data, content_id in built.attachments:
        if content_id and built.html:
            continue
        maintype, subtype = mimetype.split("/", 1)
        if maintype == "text":
            mime.add_attachment(data.decode(), subtype=subtype, filename=filename)
        else:
            mime.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return mime


def deliver_due(limit: int = 50, now: datetime | None = None) -> tuple[int, int]:
    """Claim due messages, send them over one SMTP connection; returns (sent, failed attempts).

    A failure puts the message back in the queue with a backoff, or marks it failed after
    MAX_ATTEMPTS. Nothing is lost: a crash between sending and recording leaves the row in
    `sending` until its lease ends, then it is retried with the same Message-ID.
    """
    session = db.session
    messages = claim_due(session, limit, now)
    if not messages:
        return 0, 0
    # Each outcome is committed at once (a crash doubles at most one message), but the
    # objects the builders loaded (event, organisation, programme) stay loaded across
    # those commits instead of being read again for every message.
    real_session = session()
    expire_on_commit, real_session.expire_on_commit = real_session.expire_on_commit, False
    try:
        return _deliver(session, messages)
    finally:
        real_session.expire_on_commit = expire_on_commit
        g.pop("_outbox_round", None)


def batch_cache() -> dict:
    """A dict that lives for one delivery round: builders keep there what many messages
    share (the event, its programme), loaded once instead of once per message."""
    return g.setdefault("_outbox_round", {})


def _deliver(session, messages: list[OutboxMessage]) -> tuple[int, int]:
    config = current_app.config
    sender = config["MAIL_DEFAULT_SENDER"]
    domain = sender.rpartition("@")[2] or "localhost"
    sent = failed = 0
    connection = None
    try:
        for message in messages:
            try:
                built = builder_for(message.kind)(message)
            except SkipMessage as reason:
                message.state = OutboxState.CANCELLED
                message.lease_until = None
                message.last_error = str(reason)[:2000]
                session.commit()
                continue
            except Exception as error:  # noqa: BLE001 - a broken builder is recorded, retried
                failed += 1
                session.rollback()
                _record_failure(message, error)
                session.commit()
                continue
            try:
                mime = to_mime(message, built, sender, domain)
                if connection is None:
                    connection = mail.connect().__enter__()
                connection.host.send_message(mime, from_addr=sender, to_addrs=[message.to_email])
            except Exception as error:  # noqa: BLE001 - every failure is recorded, then retried
                failed += 1
                _record_failure(message, error)
                if isinstance(error, OSError | smtplib.SMTPException) and connection is not None:
                    _close(connection)
                    connection = None
            else:
                sent += 1
                message.state = OutboxState.SENT
                message.sent_at = utcnow()
                message.lease_until = None
                message.last_error = ""
            session.commit()
    finally:
        if connection is not None:
            _close(connection)
    return sent, failed


def _record_failure(message: OutboxMessage, error: Exception) -> None:
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    message.lease_until = None
    if message.attempts >= MAX_ATTEMPTS or isinstance(error, LookupError):
        message.state = OutboxState.FAILED
    else:
        message.state = OutboxState.QUEUED
        message.send_after = utcnow() + backoff(message.attempts)


def _close(connection) -> None:
    with contextlib.suppress(OSError, smtplib.SMTPException):
        connection.__exit__(None, None, None)


def enqueue_many(session, messages: list[dict]) -> int:
    """Queue many messages in one statement (the same fields as `enqueue`); keys already
    queued are skipped. Returns how many rows were added. The caller commits."""
    if not messages:
        return 0
    now = utcnow()
    rows = [
        {
            "to_name": "",
            "organisation_id": None,
            "invitation_id": None,
            "registration_id": None,
            "send_after": now,
            **m,
            "state": OutboxState.QUEUED,
            "attempts": 0,
            "last_error": "",
            "created_at": now,
        }
        for m in messages
    ]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - other databases: one by one
        return sum(enqueue(session, **m) is not None for m in messages)
    table = OutboxMessage.__table__
    stmt = insert(table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.id)
    connection = session.connection()
    added = 0
    for start in range(0, len(rows), 1000):
        added += len(connection.execute(stmt, rows[start : start + 1000]).all())
    return added


# --------------------------------------------------------------------------- workers

# Jobs the workers run between deliveries (due reminders, for example); a feature
# registers them so that core never imports features.
_PERIODIC: list[Callable[[], None]] = []
PERIODIC_EVERY = 30.0  # seconds
IDLE_SLEEP = 2.0


def register_periodic(fn: Callable[[], None]) -> Callable[[], None]:
    if fn not in _PERIODIC:
        _PERIODIC.append(fn)
    return fn


def run_periodic() -> None:
    for job in _PERIODIC:
        try:
            job()
            db.session.commit()
        except Exception:  # noqa: BLE001 - one failing job must not stop delivery
            db.session.rollback()
            current_app.logger.exception("outbox periodic job %s failed", job.__name__)


def work(app, *, once: bool = False, stop=None, batch: int = 50) -> int:
    """One worker's loop, in its own application context; returns how many it sent.

    With `once` it drains what is due now and returns; otherwise it runs until `stop`
    (a threading.Event) is set, sleeping a little when there is nothing to send.
    """
    import time

    total = 0
    last_periodic = 0.0
    with app.app_context():
        while stop is None or not stop.is_set():
            if time.monotonic() - last_periodic >= PERIODIC_EVERY or (once and not last_periodic):
                run_periodic()
                last_periodic = time.monotonic()
            try:
                sent, failed = deliver_due(limit=batch)
            except Exception:  # noqa: BLE001 - the database may be briefly unreachable
                db.session.rollback()
                current_app.logger.exception("outbox worker: delivery round failed")
                sent = failed = 0
                if once:
                    raise
            finally:
                db.session.remove()
            total += sent
            if sent + failed == 0:
                if once:
                    break
                if stop is not None:
                    stop.wait(IDLE_SLEEP)
                else:
                    time.sleep(IDLE_SLEEP)
    return total


_IN_PROCESS: dict[str, object] = {}


def start_in_process_worker(app):
    """The embedded (SQLite) setup's worker: one daemon thread in the web process.

    Call it from the factory when OUTBOX_IN_PROCESS_WORKER is true and the app is not
    testing. Idempotent per process; returns the thread's stop event.
    """
    import threading

    if not app.config.get("OUTBOX_IN_PROCESS_WORKER") or app.testing:
        return None
    if "stop" in _IN_PROCESS:
        return _IN_PROCESS["stop"]
    stop = threading.Event()
    thread = threading.Thread(
        target=work, args=(app,), kwargs={"stop": stop}, name="outbox-worker", daemon=True
    )
    _IN_PROCESS.update(stop=stop, thread=thread)
    thread.start()
    return stop
