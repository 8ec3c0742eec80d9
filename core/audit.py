"""Who did what: the organisation's append-only audit log.

An entry says who (the staff account), when, from which address (the client's, as the
rate limits see it: behind TRUSTED_PROXIES the proxy's X-Forwarded-For), the action, the
object's type and id, and the *names* of the fields that changed, never their values.

Entries are written in the same transaction as the change they describe (a change rolled
back leaves no entry). Read-only actions (an export, a failed sign-in) commit their entry
themselves. Nothing updates or deletes an entry: the ORM refuses it (`before_update`,
`before_delete`), and no route offers it.

Features declare which of their models are audited (`track`): any insert, update or
delete of such a row made by a signed-in staff member is logged with the columns that
changed. Other actions call `record`.
"""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context, has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base, utcnow
from extensions import db


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    __table_args__ = (sa.Index("ix_audit_entry_org_at", "organisation_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow, comment="UTC")
    address: Mapped[str] = mapped_column(sa.String(45), default="", comment="client address")
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(40), default="")
    object_id: Mapped[int | None] = mapped_column()
    fields: Mapped[list] = mapped_column(sa.JSON, default=list, comment="names only")
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict, comment="counts, formats")


SYSTEM = "system"  # detail["by"] of what Liqaa did on its own


class AuditLogIsAppendOnly(Exception):
    """Raised when something tries to change or delete an audit entry."""


@sa.event.listens_for(AuditEntry, "before_update")
def _refuse_update(_mapper, _connection, _target):
    raise AuditLogIsAppendOnly("audit entries cannot be changed")


@sa.event.listens_for(AuditEntry, "before_delete")
def _refuse_delete(_mapper, _connection, _target):
    raise AuditLogIsAppendOnly("audit entries cannot be deleted")


def client_address() -> str:
    """The client's address (ProxyFix has put the forwarded one there behind a proxy)."""
    return (request.remote_addr or "")[:45] if has_request_context() else ""


def _staff():
    if not has_request_context():
        return None
    user = current_user
    return user._get_current_object() if user and user.is_authenticated else None


def record(
    action: str,
    object_type: str = "",
    object_id: int | None = None,
    *,
    fields=(),
    detail: dict | None = None,
    organisation_id: int | None = None,
    user_id: int | None = None,
    session: Session | None = None,
    system: bool = False,
) -> AuditEntry:
    """Adds an entry to the session (committed with the change it describes).

    `system`: Liqaa acted on its own (a periodic job, a command run on the server); the
    entry has no user, says so in `detail["by"]`, and is shown as "System".
    """
    staff = None if system else _staff()
    entry = AuditEntry(
        organisation_id=organisation_id if organisation_id is not None else _org_of(staff),
        user_id=user_id if user_id is not None else getattr(staff, "id", None),
        at=utcnow(),
        address="" if system else client_address(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        fields=sorted(fields),
        detail={**(detail or {}), **({"by": SYSTEM} if system else {})},
    )
    (session or db.session).add(entry)
    return entry


def _org_of(staff) -> int | None:
    return getattr(staff, "organisation_id", None)


# model class -> (object type, column names not worth logging)
_TRACKED: dict[type, tuple[str, frozenset[str]]] = {}
_ALWAYS_IGNORED = frozenset({"updated_at", "created_at", "search_text"})


def track(model: type, object_type: str, ignore=()) -> None:
    """Log every change staff make to rows of `model` (the fields' names, not values)."""
    _TRACKED[model] = (object_type, _ALWAYS_IGNORED | frozenset(ignore))


def changed_fields(obj, ignore=frozenset()) -> list[str]:
    state = sa.inspect(obj)
    return sorted(
        attr.key
        for attr in state.mapper.column_attrs
        if attr.key not in ignore and state.attrs[attr.key].history.has_changes()
    )


@sa.event.listens_for(Session, "after_flush")
def _log_tracked_changes(session: Session, _context) -> None:
    """After the flush (new rows have their ids; history still shows what changed); the
    entries are flushed by the commit's next round."""
    if not _TRACKED:
        return
    staff = _staff()
    if staff is None:  # only what staff do; the public pages and workers are not audited
        return
    for kind, objects in (("create", session.new), ("update", session.dirty),
                          ("delete", session.deleted)):  # fmt: skip
        for obj in list(objects):
            spec = _TRACKED.get(type(obj))
            if spec is None:
                continue
            object_type, ignore = spec
            fields = changed_fields(obj, ignore) if kind != "delete" else []
            if kind == "update" and not fields:
                continue
            if kind == "update" and "archived_at" in fields:
                kind_now = "archive" if getattr(obj, "archived_at", None) else "restore"
            else:
                kind_now = kind
            record(
                f"{object_type}.{kind_now}",
                object_type,
                getattr(obj, "id", None),
                fields=fields if kind != "create" else [],
                organisation_id=getattr(obj, "organisation_id", None) or _org_of(staff),
                session=session,
            )


# --------------------------------------------------------------------------- bulk statements
# `track` sees what the ORM flushes. A bulk UPDATE or DELETE (`session.execute(sa.update(
# Registration)…)`, or on a connection) changes rows behind its back, so each one must say
# how it is accounted for: `bulk(statement, "member.erase")` names the audit action its
# service records (with the counts), or why none is due. A statement on an audited table
# without that mark is refused in tests and logged as an error elsewhere.

BULK_OPTION = "audit"
log = logging.getLogger("liqaa.audit")


class UnauditedBulkChange(Exception):
    """A bulk UPDATE or DELETE of an audited table that does not say how it is recorded."""


def bulk(statement, recorded_as: str):
    """Marks a bulk UPDATE or DELETE of an audited table: `recorded_as` is the audit action
    the calling service records for it, or the reason no entry is due."""
    if not recorded_as:
        raise ValueError("say which audit entry records this statement")
    return statement.execution_options(**{BULK_OPTION: recorded_as})


def audited_tables() -> dict[sa.Table, type]:
    return {model.__table__: model for model in _TRACKED}


def _flushed_by_the_orm(model: type, options) -> bool:
    """The unit of work runs its statements with the mapper's own compiled cache; those
    rows are the ones `_log_tracked_changes` sees."""
    cache = options.get("compiled_cache")
    return cache is not None and cache is sa.inspect(model).base_mapper._compiled_cache


def _audited_model(statement):
    table = statement.table
    table = table._deannotate() if hasattr(table, "_deannotate") else table
    return audited_tables().get(table)


@sa.event.listens_for(sa.engine.Engine, "before_execute")
def _check_bulk_statement(_conn, statement, _multiparams, _params, options) -> None:
    """Any connection: `session.execute`, `db.engine.connect()`, the door's hot path."""
    if not isinstance(statement, sa.Update | sa.Delete) or options.get(BULK_OPTION):
        return
    model = _audited_model(statement)
    if model is not None and not _flushed_by_the_orm(model, options):
        _refuse(statement, model)


@sa.event.listens_for(Session, "do_orm_execute")
def _check_orm_bulk_statement(state) -> None:
    """`session.execute(sa.update(Model), [rows])` (bulk by primary key) reaches the
    connection the way a flush does, so the session checks it first."""
    if not (state.is_update or state.is_delete) or state.execution_options.get(BULK_OPTION):
        return
    model = _audited_model(state.statement)
    if model is not None:
        _refuse(state.statement, model)


def _refuse(statement, model: type) -> None:
    kind = "UPDATE" if isinstance(statement, sa.Update) else "DELETE"
    message = (
        f"a bulk {kind} of {model.__tablename__} bypasses the audit log: "
        "record it and mark the statement with core.audit.bulk()"
    )
    if has_app_context() and current_app.testing:
        raise UnauditedBulkChange(message)
    log.error(message)


def entries_query(
    organisation_id: int,
    action: str = "",
    user_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
):
    """The organisation's entries, newest first, filtered."""
    query = sa.select(AuditEntry).where(AuditEntry.organisation_id == organisation_id)
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True))
    if user_id:
        query = query.where(AuditEntry.user_id == user_id)
    if since:
        query = query.where(AuditEntry.at >= since)
    if until:
        query = query.where(AuditEntry.at < until)
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
