"""The declarative base, column types and mixins every model uses."""

from __future__ import annotations

import enum
import fcntl
import os
import threading
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored as naive UTC and always read back as an aware UTC datetime.

    SQLite has no time zones and PostgreSQL's timestamptz converts on the way out;
    storing naive UTC in both keeps comparisons and migrations identical.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


def str_enum(enum_cls: type[enum.Enum], name: str, length: int = 24) -> sa.Enum:
    """A portable enum column: VARCHAR with a named CHECK constraint on both databases."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow, comment="UTC")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, comment="UTC")


class OrgScopedMixin:
    """A row that belongs to one organisation; every query filters on it."""

    @declared_attr
    def organisation_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(
            sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True, nullable=False
        )


def enable_sqlite_pragmas(engine: sa.Engine) -> None:
    """WAL, foreign keys and a busy timeout on every SQLite connection."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - trivial
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted rows are overwritten, not left in free pages (a resealed anonymous
        # survey's old rows, an erased member).
        cursor.execute("PRAGMA secure_delete=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


# SQLite lets one process write at a time; a writer that finds the database locked sleeps
# in SQLite's busy handler (1, 2, 5, 10… ms) and tries again, so under a queue of scans
# two gunicorn workers waited on each other far longer than their transactions lasted.
# Check-ins therefore take turns on an advisory file lock next to the database file: the
# kernel wakes the next writer as soon as the previous one has committed.
_write_locks: dict[str, tuple[int, threading.Lock]] = {}


@contextmanager
def write_turn(engine: sa.Engine):
    """One door write transaction at a time on a SQLite file (no-op on PostgreSQL)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        yield
        return
    entry = _write_locks.get(url.database)
    if entry is None:
        fd = os.open(f"{url.database}-door.lock", os.O_RDWR | os.O_CREAT, 0o600)
        entry = _write_locks.setdefault(url.database, (fd, threading.Lock()))
    fd, thread_lock = entry
    with thread_lock:  # flock() does not exclude threads sharing one descriptor
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)


# Indexes that exist on PostgreSQL only (a trigram GIN index has no SQLite equivalent).
# They are created by their migration and, for create_all, by postgres_only_index; the
# model comparison (autogenerate, tests/foundation/test_migrations.py) leaves them out.
POSTGRES_ONLY_INDEXES: set[str] = set()


def postgres_only_index(table: sa.Table, name: str, create: str) -> None:
    """Registers `create` (CREATE INDEX ... ON table) to run after the table's CREATE on
    PostgreSQL, as the migration that adds the index does."""
    POSTGRES_ONLY_INDEXES.add(name)
    sa.event.listen(table, "after_create", sa.DDL(create).execute_if(dialect="postgresql"))


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter: what the models describe, without the PostgreSQL-only indexes."""
    return not (type_ == "index" and name in POSTGRES_ONLY_INDEXES)


def lock_oldest(session, model, state_column, states):
    """The oldest row of `model` whose state is one of `states`, locked for this
    transaction so that another worker skips it (a background job's next step), or None.

    PostgreSQL: FOR UPDATE SKIP LOCKED. SQLite: a first harmless write takes the database's
    write lock, then the row is read again (another worker may have finished it)."""
    stmt = sa.select(model.id).where(state_column.in_(states)).order_by(model.id).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        row_id = session.scalar(stmt.with_for_update(skip_locked=True))
    else:
        row_id = session.scalar(stmt)
        if row_id is not None:
            table = model.__table__
            session.execute(sa.update(table).where(table.c.id == row_id).values(id=table.c.id))
    if row_id is None:
        return None
    row = session.get(model, row_id, populate_existing=True)
    return row if getattr(row, state_column.key) in states else None
