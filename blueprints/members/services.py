"""The member directory: create, edit, archive, search, import, export.

Plain values in, domain errors out; only flush(), the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from blueprints.members import importer
from blueprints.members.models import Member, MemberCategory, MemberTag
from blueprints.members.text import query_terms, search_text_for
from core.db import utcnow
from core.i18n import person_language
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
    member.locale = person_language(data.locale)
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
    _flush_unique()
    return member


def update_member(member: Member, data: MemberData) -> None:
    _apply(member, data)
    _flush_unique()


def _flush_unique() -> None:
    """The schema has the last word: a phone another edit took a moment ago is refused."""
    try:
        db.session.flush()
    except sa.exc.IntegrityError as error:
        raise MemberError(_l("Another member already has this phone number.")) from error


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


def matching(query: str) -> list[sa.ColumnElement[bool]]:
    """The conditions for members matching a search (name, company, email or phone, in
    Arabic or Latin script): every word of the query, as the members list searches."""
    conditions = []
    for term in query_terms(query or ""):
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(Member.search_text.like(f"%{escaped}%", escape="\\"))
    return conditions


def filtered(organisation_id: int, f: MemberFilter) -> sa.Select:
    stmt = sa.select(Member).where(Member.organisation_id == organisation_id)
    stmt = stmt.where(
        Member.archived_at.is_not(None) if f.archived else Member.archived_at.is_(None)
    )
    stmt = stmt.where(*matching(f.query))
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
    stmt = filtered(organisation_id, f).options(selectinload(Member.tags))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


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
    stmt = (
        filtered(organisation_id, f)
        .options(selectinload(Member.tags))
        .execution_options(yield_per=1000)
    )
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
