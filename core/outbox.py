"""The durable email queue.

A feature never sends mail from a request. It calls `enqueue()` inside the same
transaction as the change that caused the message; workers (`flask outbox work`,
or the in-process worker of the embedded setup) build and deliver it later.

A message is built at delivery time by the builder registered for its `kind` (each
feature hands its `emails.BUILDERS` to `register_builders` in its init_app), from the
JSON `payload` stored with it, so that the email always shows the event as it is when it leaves.
States: queued -> sending -> sent | failed | cancelled.
"""

from __future__ import annotations

import base64
import contextlib
import enum
import secrets
import smtplib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import message_from_bytes
from email.header import Header
from email.message import EmailMessage
from email.policy import default
from email.utils import encode_rfc2231, formataddr, formatdate, getaddresses, make_msgid
from functools import lru_cache

import sqlalchemy as sa
from flask import current_app, g
from sqlalchemy.dialects import postgresql, sqlite
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


def register_builders(builders: dict[str, Builder]) -> None:
    """Called by each feature's init_app with its `emails.BUILDERS` (kind → builder)."""
    _BUILDERS.update(builders)


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
    take the same message. SQLite has no row locks but a single writer: there one
    UPDATE … WHERE id IN (the due ids) … RETURNING takes the rows, and as the due
    condition is evaluated by that statement under the database's write lock, two
    workers (the web process's and a `flask outbox work`) never take the same row.

    Each claimed message gets its Message-ID in the same commit, so that it is the same
    on every retry, even after a worker died between sending and recording.
    """
    now = now or utcnow()
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
            message.lease_until = now + LEASE
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
            lease_until=now + LEASE,
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


CRLF = b"\r\n"


@lru_cache(maxsize=512)  # a round's subjects and senders repeat
def _header_value(value: str) -> str:
    """One line (no header injection), RFC 2047-encoded when it is not ASCII."""
    value = " ".join(str(value).splitlines())
    if value.isascii():
        return value
    return Header(value, "utf-8").encode(linesep="\r\n")


@lru_cache(maxsize=512)
def _address(name: str, address: str) -> str:
    name = " ".join((name or "").splitlines())
    address = "".join((address or "").split())
    return formataddr((name, address), charset="utf-8") if name else address


def _addresses(value: str) -> str:
    """A header holding addresses ("Name <a@b>, c@d"), display names encoded if needed."""
    value = " ".join(value.splitlines())
    if value.isascii():
        return value
    return ", ".join(_address(n, a) for n, a in getaddresses([value]))


def _base64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", CRLF)


def _param(name: str, value: str) -> str:
    if value.isascii():
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'{name}="{escaped}"'
    return f"{name}*={encode_rfc2231(value, 'utf-8')}"


def _leaf(content_type: str, data: bytes, extra: tuple[str, ...] = ()) -> bytes:
    head = [f"Content-Type: {content_type}", "Content-Transfer-Encoding: base64", *extra]
    return "\r\n".join(head).encode() + CRLF + CRLF + _base64(data)


def _multipart(subtype: str, parts: list[bytes]) -> bytes:
    boundary = f"=_liqaa_{secrets.token_hex(12)}"
    out = [f'Content-Type: multipart/{subtype}; boundary="{boundary}"'.encode(), CRLF, CRLF]
    delimiter = f"--{boundary}".encode()
    for part in parts:
        out += [delimiter, CRLF, part, CRLF]
    out += [delimiter, b"--", CRLF]
    return b"".join(out)


def _text(subtype: str, text: str) -> bytes:
    return _leaf(f'text/{subtype}; charset="utf-8"', text.encode("utf-8"))


def _attachment(filename: str, mimetype: str, data: bytes, content_id: str | None) -> bytes:
    content_type = f"{mimetype}; {_param('name', filename)}"
    if mimetype.startswith("text/"):
        content_type = f'{mimetype}; charset="utf-8"; {_param("name", filename)}'
    extra = [f"Content-Disposition: {'inline' if content_id else 'attachment'}; "
             f"{_param('filename', filename)}"]  # fmt: skip
    if content_id:
        extra.append(f"Content-ID: <{content_id}>")
    return _leaf(content_type, data, tuple(extra))


def to_bytes(message: OutboxMessage, built: BuiltEmail, sender: str, domain: str) -> bytes:
    """The whole email, ready for SMTP DATA, written out directly.

    The `email` package's EmailMessage (policy=default) spends milliseconds per message
    parsing and folding its own headers; this writes the same structure (text and HTML
    alternatives, inline images in a multipart/related, attachments in a multipart/mixed)
    with base64 bodies and RFC 2047 headers, in a fraction of that.
    """
    if not message.message_id:
        message.message_id = make_msgid(domain=domain)
    headers = [
        ("From", _address(built.sender_name, sender)),
        ("To", _address(message.to_name, message.to_email)),
        ("Subject", _header_value(built.subject)),
        ("Date", formatdate(localtime=False)),
        ("Message-ID", message.message_id),  # the same on every retry
    ]
    if built.reply_to:
        headers.append(("Reply-To", _addresses(built.reply_to)))
    for name, value in built.headers.items():
        headers.append((name, _header_value(value)))
    headers.append(("MIME-Version", "1.0"))

    body = _text("plain", built.text)
    attachments = built.attachments
    if built.html:
        html = _text("html", built.html)
        inline = [a for a in attachments if a[3]]
        if inline:
            html = _multipart("related", [html, *(_attachment(*a) for a in inline)])
        body = _multipart("alternative", [body, html])
        attachments = [a for a in attachments if not a[3]]
    if attachments:
        body = _multipart("mixed", [body, *(_attachment(*a) for a in attachments)])
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return head.encode("ascii") + body


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
    connection = None
    try:
        for message in messages:
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
                if connection is None:
                    connection = mail.connect().__enter__()
                connection.host.sendmail(sender, [message.to_email], data)
            except Exception as error:  # noqa: BLE001 - every failure is recorded, then retried
                failed += 1
                outcomes.append((message, "fail", error))
                if isinstance(error, OSError | smtplib.SMTPException) and connection is not None:
                    _close(connection)
                    connection = None
            else:
                sent += 1
                outcomes.append((message, "sent", None))
    finally:
        if connection is not None:
            _close(connection)
        _record(session, outcomes)
    return sent, failed


def _record(session, outcomes) -> None:
    now = utcnow()
    for message, outcome, detail in outcomes:
        if outcome == "sent":
            message.state = OutboxState.SENT
            message.sent_at = now
            message.lease_until = None
            message.last_error = ""
        elif outcome == "skip":
            message.state = OutboxState.CANCELLED
            message.lease_until = None
            message.last_error = detail[:2000]
        else:
            _record_failure(message, detail)
    session.commit()


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
        insert = postgresql.insert
    elif dialect == "sqlite":
        insert = sqlite.insert
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
BATCH = 100  # messages claimed, sent over one connection and recorded in one commit


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


def work(app, *, once: bool = False, stop=None, batch: int = BATCH) -> int:
    """One worker's loop, in its own application context; returns how many it sent.

    With `once` it drains what is due now and returns; otherwise it runs until `stop`
    (a threading.Event) is set, sleeping a little when there is nothing to send.
    """
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
