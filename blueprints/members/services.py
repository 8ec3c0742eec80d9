"""The member directory: create, edit, archive, search, import, export.

Plain values in, domain errors out; only flush(), the caller commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from blueprints.members import importer
from blueprints.members.models import Member, MemberCategory, MemberImport, MemberTag
from blueprints.members.text import query_terms, search_text_for
from core import exports
from core.db import utcnow
from core.phones import normalise_phone
from extensions import db

SORTS = {
    "name": (Member.full_name, Member.id),
    "-name": (Member.full_name.desc(), Member.id.desc()),
    "company": (Member.company, Member.full_name),
    "trade": (Member.trade, Member.full_name),
    "city": (Member.city, Member.full_name),
    "-created": (Member.created_at.desc(), Member.id.desc()),
}
IMPORT_CHUNK = 2000


class MemberError(Exception):
    pass


@dataclass
class MemberData:
    full_name: str
    company: str = ""
    trade: str = ""
    city: str = ""
    email: str | None = None
    phone: str | None = None  # as typed; normalised here
    locale: str = "ar"
    category: str = MemberCategory.MEMBER.value
    tags: list[str] = field(default_factory=list)
    notes: str = ""
    ice: str | None = None
    cnss_number: str | None = None
    consent: bool = False
    consent_source: str = ""


def refresh_search_text(member: Member) -> None:
    member.search_text = search_text_for(
        member.full_name, member.company, member.email, member.phone, member.city
    )


def _apply(member: Member, data: MemberData) -> None:
    name = " ".join((data.full_name or "").split())
    if not name:
        raise MemberError(_l("The name is missing."))
    phone = None
    if data.phone and data.phone.strip():
        phone = normalise_phone(data.phone)
        if phone is None:
            raise MemberError(_l("The phone number is not valid."))
    ice = (data.ice or "").replace(" ", "") or None
    if ice and not importer.valid_ice(ice):
        raise MemberError(_l("The ICE must be 15 digits."))
    email = (data.email or "").strip().lower() or None
    _check_unique(member, email, phone)
    member.full_name = name[:200]
    member.company = data.company.strip()[:200]
    member.trade = data.trade.strip()[:60]
    member.city = data.city.strip()[:100]
    member.email = email
    member.phone = phone
    member.locale = data.locale if data.locale in ("ar", "fr", "en") else "ar"
    member.category = MemberCategory(data.category)
    member.notes = data.notes
    member.ice = ice
    member.cnss_number = (data.cnss_number or "").strip() or None
    if data.consent and member.consent_at is None:
        member.consent_at = utcnow()
        member.consent_source = (data.consent_source or "")[:120]
    elif not data.consent:
        member.consent_at = None
    wanted = importer.split_tags(",".join(data.tags))
    member.tags = [t for t in member.tags if t.tag in wanted] + [
        MemberTag(tag=t) for t in wanted if t not in member.tag_names
    ]
    refresh_search_text(member)


def _check_unique(member: Member, email: str | None, phone: str | None) -> None:
    """One person once per directory: an email or a phone already used is refused."""
    for column, value, message in (
        (Member.email, email, _l("Another member already has this email address.")),
        (Member.phone, phone, _l("Another member already has this phone number.")),
    ):
        if not value:
            continue
        stmt = sa.select(Member.id).where(
            Member.organisation_id == member.organisation_id, column == value
        )
        if member.id is not None:
            stmt = stmt.where(Member.id != member.id)
        if db.session.scalar(stmt.limit(1)) is not None:
            raise MemberError(message)


def create_member(organisation_id: int, data: MemberData) -> Member:
    member = Member(organisation_id=organisation_id, tags=[])
    _apply(member, data)
    db.session.add(member)
    db.session.flush()
    return member


def update_member(member: Member, data: MemberData) -> None:
    _apply(member, data)
    db.session.flush()


def archive(member: Member) -> None:
    """Archived members leave the list and future invitations; their history stays."""
    member.archived_at = member.archived_at or utcnow()


def restore(member: Member) -> None:
    member.archived_at = None


def unsubscribe(member: Member, when: datetime | None = None) -> None:
    member.unsubscribed_at = member.unsubscribed_at or when or utcnow()


# --------------------------------------------------------------------------- listing


@dataclass
class MemberFilter:
    query: str = ""
    tag: str = ""
    category: str = ""
    trade: str = ""
    archived: bool = False
    sort: str = "name"


def filtered(organisation_id: int, f: MemberFilter) -> sa.Select:
    stmt = sa.select(Member).where(Member.organisation_id == organisation_id)
    stmt = stmt.where(
        Member.archived_at.is_not(None) if f.archived else Member.archived_at.is_(None)
    )
    for term in query_terms(f.query or ""):
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Member.search_text.like(f"%{escaped}%", escape="\\"))
    if f.tag:
        stmt = stmt.where(
            Member.id.in_(sa.select(MemberTag.member_id).where(MemberTag.tag == f.tag[:40]))
        )
    if f.category in {c.value for c in MemberCategory}:
        stmt = stmt.where(Member.category == MemberCategory(f.category))
    if f.trade:
        stmt = stmt.where(Member.trade == f.trade[:60])
    return stmt.order_by(*SORTS.get(f.sort, SORTS["name"]))


def members_page(organisation_id: int, f: MemberFilter, page: int, per_page: int):
    return db.paginate(filtered(organisation_id, f), page=page, per_page=per_page, error_out=False)


def tags_of(organisation_id: int) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(MemberTag.tag)
            .join(Member, Member.id == MemberTag.member_id)
            .where(Member.organisation_id == organisation_id, Member.archived_at.is_(None))
            .distinct()
            .order_by(MemberTag.tag)
        )
    )


def trades_of(organisation_id: int) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Member.trade)
            .where(
                Member.organisation_id == organisation_id,
                Member.trade != "",
                Member.archived_at.is_(None),
            )
            .distinct()
            .order_by(Member.trade)
        )
    )


# --------------------------------------------------------------------------- export

EXPORT_HEADER = (
    "full_name", "company", "trade", "city", "email", "phone", "locale", "category",
    "tags", "notes", "ice", "cnss_number", "consent_at", "consent_source", "unsubscribed_at",
)  # fmt: skip


def export_rows(organisation_id: int, f: MemberFilter) -> Iterator[list]:
    stmt = filtered(organisation_id, f).execution_options(yield_per=1000)
    for member in db.session.scalars(stmt):
        yield [
            member.full_name,
            member.company,
            member.trade,
            member.city,
            member.email or "",
            member.phone or "",
            member.locale,
            member.category.value,
            ", ".join(member.tag_names),
            member.notes,
            member.ice or "",
            member.cnss_number or "",
            member.consent_at.isoformat() if member.consent_at else "",
            member.consent_source,
            member.unsubscribed_at.isoformat() if member.unsubscribed_at else "",
        ]


def export(organisation_id: int, f: MemberFilter, fmt: str) -> bytes:
    return exports.render(EXPORT_HEADER, export_rows(organisation_id, f), fmt, title="members")


# --------------------------------------------------------------------------- import


def start_import(organisation_id: int, filename: str, data: bytes, user_id: int | None):
    """Read the file (refusing what cannot be read) and keep it until it is confirmed."""
    table = importer.read_table(data, filename)
    upload = MemberImport(
        organisation_id=organisation_id,
        filename=filename[:255],
        data=data,
        mapping=importer.guess_mapping(table.header),
        created_by_id=user_id,
    )
    db.session.add(upload)
    db.session.flush()
    return upload, table


def existing_keys(organisation_id: int) -> dict[str, int]:
    """Every email and phone already in the directory (archived members too) -> member id."""
    keys: dict[str, int] = {}
    rows = db.session.execute(
        sa.select(Member.id, Member.email, Member.phone).where(
            Member.organisation_id == organisation_id
        )
    )
    for member_id, email, phone in rows:
        if email:
            keys[email] = member_id
        if phone:
            keys[phone] = member_id
    return keys


def import_report(
    organisation_id: int, table: importer.Table, mapping: dict[str, str]
) -> importer.Report:
    report = importer.Report()
    for result in importer.analyse(table, mapping, existing_keys(organisation_id)):
        report.add(result)
    return report


def set_mapping(upload: MemberImport, mapping: dict[str, str], columns: int) -> None:
    upload.mapping = importer.clean_mapping(mapping, columns)


def confirm_import(
    upload: MemberImport,
    table: importer.Table,
    *,
    update_existing: bool,
    consent_source: str,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write the checked rows: new members inserted, known ones updated or skipped."""
    if upload.confirmed_at is not None:
        raise MemberError(_l("This file was already imported."))
    problem = importer.mapping_problem(upload.mapping)
    if problem:
        raise MemberError(problem)
    summary = apply_rows(
        upload.organisation_id,
        table,
        upload.mapping,
        update_existing=update_existing,
        consent_source=consent_source,
        progress=progress,
    )
    upload.update_existing = update_existing
    upload.confirmed_at = utcnow()
    upload.summary = summary
    upload.data = None
    db.session.flush()
    return summary


def apply_rows(
    organisation_id: int,
    table: importer.Table,
    mapping: dict[str, str],
    *,
    update_existing: bool,
    consent_source: str,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    summary = {"created": 0, "updated": 0, "skipped": 0, "invalid": 0}
    now = utcnow()
    mapped = set(mapping.values())
    inserts: list[tuple[dict, list[str]]] = []
    updates: list[tuple[int, dict, list[str]]] = []
    for result in importer.analyse(table, mapping, existing_keys(organisation_id), progress):
        if result.status == importer.INVALID:
            summary["invalid"] += 1
        elif result.status == importer.DUPLICATE or (
            result.status == importer.EXISTING and not update_existing
        ):
            summary["skipped"] += 1
        elif result.status == importer.EXISTING:
            updates.append((result.existing_id, result.values, result.values["tags"]))
            summary["updated"] += 1
        else:
            inserts.append((result.values, result.values["tags"]))
            summary["created"] += 1
        if len(inserts) >= IMPORT_CHUNK:
            _insert(organisation_id, inserts, now, consent_source)
            inserts = []
    if inserts:
        _insert(organisation_id, inserts, now, consent_source)
    if updates:
        _update(organisation_id, updates, mapped)
    db.session.flush()
    return summary


def _insert(organisation_id: int, rows: list[tuple[dict, list[str]]], now, source: str) -> None:
    """One chunk of new members (and their tags) in a few statements, through Core.

    The tags need each member's id. PostgreSQL returns the ids in the rows' order. On
    SQLite that RETURNING would cost one statement per row, so the first row is inserted
    alone (which takes the database's single write lock until the commit) and the
    others get the following ids explicitly: no other writer can come in between.
    """
    table = Member.__table__
    params = []
    source = source[:120]
    for values, _tags in rows:
        row = {k: v for k, v in values.items() if k != "tags"}
        row.update(
            organisation_id=organisation_id,
            category=MemberCategory(row["category"]),
            consent_at=now,
            consent_source=source,
            created_at=now,
            updated_at=now,
            search_text=search_text_for(
                row["full_name"], row["company"], row["email"], row["phone"], row["city"]
            ),
        )
        params.append(row)
    session = db.session
    if session.get_bind().dialect.name == "sqlite":
        first = session.execute(table.insert().returning(table.c.id), params[0]).scalar_one()
        ids = list(range(first, first + len(params)))
        rest = [dict(row, id=member_id) for member_id, row in zip(ids[1:], params[1:], strict=True)]
        if rest:
            session.execute(table.insert(), rest)
    else:
        ids = session.scalars(
            table.insert().returning(table.c.id, sort_by_parameter_order=True), params
        ).all()
    tag_rows = [
        {"member_id": member_id, "tag": tag}
        for member_id, (_values, tags) in zip(ids, rows, strict=True)
        for tag in tags
    ]
    if tag_rows:
        session.execute(MemberTag.__table__.insert(), tag_rows)


def _update(organisation_id: int, rows: list[tuple[int, dict, list[str]]], mapped: set) -> None:
    """Only the columns the file has, and only where the file has a value."""
    columns = {"company", "trade", "city", "email", "phone", "notes", "ice", "cnss_number"}
    columns &= mapped
    if mapped & {"full_name", "first_name", "last_name"}:
        columns.add("full_name")
    if "locale" in mapped:
        columns.add("locale")
    if "category" in mapped:
        columns.add("category")
    for start in range(0, len(rows), IMPORT_CHUNK):
        chunk = rows[start : start + IMPORT_CHUNK]
        members = {
            m.id: m
            for m in db.session.scalars(
                sa.select(Member).where(
                    Member.organisation_id == organisation_id,
                    Member.id.in_([member_id for member_id, _, _ in chunk]),
                )
            )
        }
        for member_id, values, tags in chunk:
            member = members.get(member_id)
            if member is None:
                continue
            for column in columns:
                value = values.get(column)
                if value:
                    setattr(
                        member,
                        column,
                        MemberCategory(value) if column == "category" else value,
                    )
            for tag in tags:
                if tag not in member.tag_names:
                    member.tags.append(MemberTag(tag=tag))
            refresh_search_text(member)
        db.session.flush()
