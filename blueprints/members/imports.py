"""Importing a member list: keep the parsed rows between the steps, report, then write
every row in one transaction.

Between the upload, the preview and the confirmation the parsed rows (not the file)
wait in the `member_import` row, compressed: the steps may be served by different web
workers (or machines), so a file under `instance/` would not do, and the database
already scopes the row to the organisation like everything else. The file is read once,
at the upload; a preview or a mapping change only loads the rows back. Uploads left
unconfirmed for a day are deleted at the organisation's next upload; a confirmed one
keeps only its summary.

Plain values in, domain errors out; only flush(), the caller commits.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import LazyString, lazy_ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from blueprints.members import importer
from blueprints.members.models import Member, MemberCategory, MemberImport, MemberTag
from blueprints.members.services import MemberError, refresh_search_text
from blueprints.members.text import search_text_for
from core import audit
from core.db import utcnow
from core.i18n import part_separator
from extensions import db

IMPORT_CHUNK = 2000
KEEP_PENDING = timedelta(days=1)


def start_import(organisation_id: int, filename: str, data: bytes, user_id: int | None):
    """Read the file once (refusing what cannot be read) and keep its rows until confirmed."""
    table = importer.read_table(data, filename)
    db.session.execute(
        sa.delete(MemberImport).where(
            MemberImport.organisation_id == organisation_id,
            MemberImport.confirmed_at.is_(None),
            MemberImport.created_at < utcnow() - KEEP_PENDING,
        )
    )
    upload = MemberImport(
        organisation_id=organisation_id,
        filename=filename[:255],
        data=table.dumps(),
        mapping=importer.guess_mapping(table.header),
        created_by_id=user_id,
    )
    db.session.add(upload)
    db.session.flush()
    return upload, table


def pending_table(upload: MemberImport) -> importer.Table | None:
    """The rows kept at the upload; None once confirmed, or when they cannot be loaded
    back (an upload kept by an older version held the file itself)."""
    if upload.confirmed_at is not None or upload.data is None:
        return None
    try:
        return importer.Table.loads(upload.data)
    except (zlib.error, ValueError, TypeError):
        return None


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


def import_notes(table: importer.Table, mapping: dict[str, str], report=None) -> list:
    """What the organiser should know about how the file was read, for the preview."""
    notes = [_l("Column names taken from line %(line)s.", line=table.header_line)]
    joined = importer.joined_names(mapping, table.header)
    if joined:
        notes.append(
            _l(
                "The columns “%(first)s” and “%(last)s” are joined into the full name: "
                "first name, then last name.",
                first=joined[0],
                last=joined[1],
            )
        )
    if table.formula_lines:
        notes.append(
            lazy_ngettext(
                "Line %(lines)s holds a formula: the value Excel last computed is imported.",
                "Lines %(lines)s hold formulas: the values Excel last computed are imported.",
                len(table.formula_lines),
                lines=LazyString(_lines, table.formula_lines),
            )
        )
    if report is not None and report.clash_lines:
        notes.append(
            lazy_ngettext(
                "Line %(lines)s has the email of one member and the phone number of "
                "another: it will not be imported.",
                "Lines %(lines)s have the email of one member and the phone number of "
                "another: they will not be imported.",
                len(report.clash_lines),
                lines=LazyString(_lines, report.clash_lines),
            )
        )
    return notes


def _lines(numbers: list[int], shown: int = 20) -> str:
    """The line numbers, with the comma of the language the note is shown in."""
    text = part_separator().join(str(n) for n in numbers[:shown])
    return text + (" …" if len(numbers) > shown else "")


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
    try:
        summary = apply_rows(
            upload.organisation_id,
            table,
            upload.mapping,
            update_existing=update_existing,
            consent_source=consent_source,
            progress=progress,
        )
    except sa.exc.IntegrityError as error:  # a phone taken meanwhile by someone else's edit
        raise MemberError(
            _l("The directory changed while you were checking the file. Check it again.")
        ) from error
    upload.update_existing = update_existing
    upload.confirmed_at = utcnow()
    upload.summary = summary
    upload.data = None
    audit.record("members.import", "member_import", upload.id, detail=summary,
                 organisation_id=upload.organisation_id)  # fmt: skip
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
                sa.select(Member)
                .options(selectinload(Member.tags))
                .where(
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
