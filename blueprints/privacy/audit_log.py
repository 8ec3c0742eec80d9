"""The owner's view of the audit log: filters from the query string, rows for the export.

The log itself (the table, the append-only guard, what is recorded) is core.audit, so
that every feature can write to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from blueprints.auth.models import User
from core.audit import AuditEntry, entries_query
from core.i18n import local_to_utc
from extensions import db

EXPORT_HEADER = ["at (UTC)", "user", "address", "action", "object", "id", "fields", "detail"]
EXPORT_LIMIT = 100_000


@dataclass
class AuditFilter:
    action: str = ""
    user_id: int | None = None
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_args(cls, args) -> AuditFilter:
        """What the query string asks for; anything malformed is simply not a filter."""
        return cls(
            action=(args.get("action") or "").strip()[:40],
            user_id=args.get("user", type=int),
            since=_day(args.get("since")),
            until=_day(args.get("until")),
        )

    def query(self, organisation_id: int) -> sa.Select:
        return entries_query(
            organisation_id,
            action=self.action,
            user_id=self.user_id,
            since=local_to_utc(self.since, datetime.min.time()) if self.since else None,
            until=(
                local_to_utc(self.until + timedelta(days=1), datetime.min.time())
                if self.until
                else None
            ),
        )


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def entries_page(organisation_id: int, f: AuditFilter, page: int, per_page: int):
    return db.paginate(f.query(organisation_id), page=page, per_page=per_page, error_out=False)


def actions_of(organisation_id: int) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.organisation_id == organisation_id)
            .distinct()
            .order_by(AuditEntry.action)
        )
    )


def staff_names(organisation_id: int) -> dict[int, str]:
    rows = db.session.execute(
        sa.select(User.id, User.full_name, User.email).where(
            User.organisation_id == organisation_id
        )
    )
    return {uid: name or email for uid, name, email in rows}


def export_rows(organisation_id: int, f: AuditFilter) -> list[list]:
    names = staff_names(organisation_id)
    return [
        [
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            names.get(e.user_id, "") if e.user_id else (e.detail or {}).get("by", ""),
            e.address,
            e.action,
            e.object_type,
            e.object_id if e.object_id is not None else "",
            " ".join(e.fields or []),
            " ".join(f"{k}={v}" for k, v in sorted((e.detail or {}).items())),
        ]
        for e in db.session.scalars(f.query(organisation_id).limit(EXPORT_LIMIT))
    ]
