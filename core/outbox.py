"""The durable email queue.

A feature never sends mail from a request. It calls `enqueue()` inside the same
transaction as the change that caused the message; workers (`flask outbox work`,
or the in-process worker of the embedded setup) build and deliver it later.

A message is built at delivery time by the builder registered for its `kind` (each
feature hands its `emails.BUILDERS` to `register_builders` in its init_app), from the
JSON `payload` stored with it, so that the email always shows the event as it is when it leaves.
States: queued -> sending -> sent | failed | cancelled.

This module is the queue itself (the table, enqueueing, the builders); `outbox_delivery`
claims and sends, `outbox_worker` runs the delivery loop and the periodic jobs.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, str_enum, utcnow
from core.text import without_bidi_state


class OutboxState(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class OutboxMessage(Base):
    __tablename__ = "outbox_message"
    __table_args__ = (
        sa.Index("ix_outbox_message_due", "state", "send_after"),
        sa.Index("ix_outbox_message_subject", "subject_kind", "subject_id"),
    )

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
    # What the message is about, as the feature that queued it names it ("invitation", 12),
    # so that its pages can show each person's delivery state. No foreign key: the queue
    # knows no feature's tables.
    subject_kind: Mapped[str] = mapped_column(sa.String(20), default="")
    subject_id: Mapped[int | None] = mapped_column()

    @classmethod
    def about(cls, kind: str, ids) -> sa.ColumnElement[bool]:
        """Messages about `kind` rows: one id, a list of ids, or a SELECT of ids."""
        if isinstance(ids, int):
            return sa.and_(cls.subject_kind == kind, cls.subject_id == ids)
        return sa.and_(cls.subject_kind == kind, cls.subject_id.in_(ids))


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

    def __post_init__(self) -> None:
        # One place for every kind of email, however its parts were put together: a name
        # or title with a bidi override cannot reverse the rest of a line.
        self.subject = without_bidi_state(self.subject)
        self.text = without_bidi_state(self.text)
        self.html = without_bidi_state(self.html)
        self.sender_name = without_bidi_state(self.sender_name)


class SkipMessage(Exception):  # noqa: N818 - it is an outcome, not an error
    """Raised by a builder when the message must not leave any more (the invitee answered,
    unsubscribed, the invitation is gone): the row is cancelled with the reason."""


Builder = Callable[[OutboxMessage], BuiltEmail]
_BUILDERS: dict[str, Builder] = {}


def register_builders(builders: dict[str, Builder]) -> None:
    """Called by each feature's init_app with its `emails.BUILDERS` (kind → builder)."""
    _BUILDERS.update(builders)


def builder_kinds() -> set[str]:
    """Every kind of email a feature has registered."""
    return set(_BUILDERS)


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
    subject: tuple[str, int | None] = ("", None),
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
        subject_kind=subject[0],
        subject_id=subject[1],
    )
    try:
        with session.begin_nested():  # a concurrent enqueue of the same key loses quietly
            session.add(message)
    except IntegrityError:
        return None
    return message


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
            "send_after": now,
            **{k: v for k, v in m.items() if k != "subject"},
            "subject_kind": m.get("subject", ("", None))[0],
            "subject_id": m.get("subject", ("", None))[1],
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
    # No RETURNING: the driver's own executemany (psycopg: one prepared statement in a
    # pipeline) rather than one long multi-row INSERT a batch, whose text psycopg parses
    # anew each time (40 % of a large invitation's time); the rows added are its rowcount.
    stmt = insert(table).on_conflict_do_nothing(index_elements=["key"])
    stmt = stmt.execution_options(preserve_rowcount=True)  # kept for an INSERT only if asked
    return session.connection().execute(stmt, rows).rowcount
