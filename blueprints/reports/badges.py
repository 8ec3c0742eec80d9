"""Name badges for an event: one per accepted registration and one per companion, with
the name, company, category and the QR code of the ticket (companions enter on the
ticket of the person they came with).

Which badges (`Choice`): everyone accepted or only those who arrived, one category, only
those not printed yet (no PDF made with their badge), or one person. Two queries whatever
the number of people (the registrations, then their companions).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from blueprints.events.models import Event
from blueprints.members.models import MemberCategory
from blueprints.rsvp.models import Companion, Registration, RegistrationStatus
from blueprints.rsvp.tickets import ticket_url
from core import audit
from core.qr import qr_png, qr_svg
from extensions import db

WHO = ("all", "arrived")
COMPANION = "companion"
CATEGORIES = (*(c.value for c in MemberCategory), COMPANION)
# a4-8: eight 88 × 62 mm badges on an A4 sheet, cut along dashed lines; a6: one per A6 page
FORMATS = ("a4-8", "a6")
DEFAULT_FORMAT = FORMATS[0]


@dataclass
class Choice:
    """Which badges a sheet holds; read from a query string or a form, never trusted."""

    who: str = "all"
    category: str = ""  # a MemberCategory value, "companion", or "" for every category
    unprinted: bool = False
    person: str = ""  # "r<id>" one registrant (without companions), "c<id>" one companion

    @classmethod
    def read(cls, args: Mapping) -> Choice:
        who, category = args.get("who", "all"), args.get("category", "")
        return cls(
            who=who if who in WHO else "all",
            category=category if category in CATEGORIES else "",
            unprinted=args.get("unprinted", "") in ("1", "y", "on"),
            person=str(args.get("person", ""))[:20],
        )

    def as_args(self) -> dict:
        """The query string that gives this choice again (empty parts left out)."""
        args = {k: v for k, v in asdict(self).items() if v and k != "unprinted"}
        if self.who == "all":
            del args["who"]
        return args | ({"unprinted": "1"} if self.unprinted else {})


@dataclass
class Badge:
    name: str
    company: str
    category: object  # a MemberCategory, or COMPANION
    qr: str  # markup: an SVG on the page, a PNG <img> in a PDF; "" without a ticket
    person: str  # "r<id>" / "c<id>": what `Choice.person` takes to print this badge again


@dataclass
class _Row:
    """One badge before its QR code is drawn."""

    registration: Registration
    companion: Companion | None

    @property
    def key(self) -> str:
        return f"c{self.companion.id}" if self.companion else f"r{self.registration.id}"


def _one(person: str) -> tuple[str, int | None]:
    kind, number = person[:1], person[1:]
    if kind in ("r", "c") and number.isdigit() and len(number) < 12:
        return kind, int(number)
    return "", None


def _accepted(event: Event) -> sa.Select:
    """The event's accepted registrations with their companions: who may have a badge."""
    return (
        sa.select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.organisation_id == event.organisation_id,
            Registration.status == RegistrationStatus.ACCEPTED,
        )
        .options(selectinload(Registration.companion_list))
    )


def _registrations(event: Event, who: str, kind: str, one: int | None) -> list[Registration]:
    stmt = _accepted(event).order_by(Registration.full_name, Registration.id)
    if who == "arrived":
        stmt = stmt.where(Registration.checked_in_at.is_not(None))
    if kind == "r":
        stmt = stmt.where(Registration.id == one)
    elif kind == "c":
        of_companion = sa.select(Companion.registration_id).where(Companion.id == one)
        stmt = stmt.where(Registration.id.in_(of_companion))
    return list(db.session.scalars(stmt))


def _rows(event: Event, choice: Choice) -> Iterator[_Row]:
    kind, one = _one(choice.person)
    if choice.person and one is None:
        return
    for registration in _registrations(event, choice.who, kind, one):
        rows = [] if kind == "c" else [_Row(registration, None)]
        if kind != "r":
            rows += [_Row(registration, c) for c in registration.companion_list]
        for row in rows:
            if kind == "c" and row.companion.id != one:
                continue
            printed = (row.companion or row.registration).badge_printed_at
            if choice.unprinted and printed is not None:
                continue
            category = COMPANION if row.companion else row.registration.category.value
            if choice.category and category != choice.category:
                continue
            yield row


def _qr_markup(code: str | None, for_pdf: bool) -> str:
    """The ticket's QR code: SVG in the page; in a PDF a PNG, which WeasyPrint lays out in
    half the time of the SVG's path (96 badges: 2.9 s against 6.0 s) and still decodes."""
    if not code:
        return ""
    if for_pdf:
        png = base64.b64encode(qr_png(ticket_url(code), box_size=4, border=1)).decode("ascii")
        return f'<img src="data:image/png;base64,{png}" alt="">'
    # one document many times: without the writer's fixed id, ids stay unique
    return qr_svg(ticket_url(code), border=1).replace(' id="qr-path"', "", 1)


def _draw(rows: Iterable[_Row], for_pdf: bool) -> list[Badge]:
    result, qr_of = [], {}  # the last registrant's QR: their companions follow them
    for row in rows:
        registration = row.registration
        if registration.id not in qr_of:
            qr_of = {registration.id: _qr_markup(registration.ticket_code, for_pdf)}
        name = row.companion.full_name if row.companion else registration.full_name
        category = COMPANION if row.companion else registration.category
        result.append(Badge(name, registration.company, category, qr_of[registration.id], row.key))
    return result


def people(event: Event, choice: Choice) -> list[str]:
    """The keys of `choice`'s badges in print order, without drawing anything."""
    return [row.key for row in _rows(event, choice)]


def badges_of(event: Event, keys: list[str], for_pdf: bool = False) -> list[Badge]:
    """The badges of these keys (from `people`), in that order; those gone are left out."""
    wanted = set(keys)
    r_ids = [int(k[1:]) for k in keys if k.startswith("r")]
    c_ids = [int(k[1:]) for k in keys if k.startswith("c")]
    of_companions = sa.select(Companion.registration_id).where(Companion.id.in_(c_ids))
    stmt = _accepted(event).where(
        sa.or_(Registration.id.in_(r_ids), Registration.id.in_(of_companions))
    )
    found = {}
    for registration in db.session.scalars(stmt):
        companions = [_Row(registration, c) for c in registration.companion_list]
        for row in (_Row(registration, None), *companions):
            if row.key in wanted:
                found[row.key] = row
    return _draw((found[key] for key in keys if key in found), for_pdf)


def mark_printed(event: Event, keys: list[str], now: datetime) -> None:
    """Remember that these badges were printed (for "only those not printed yet")."""
    of_event = sa.select(Registration.id).where(
        Registration.event_id == event.id, Registration.organisation_id == event.organisation_id
    )
    for model, owner, kind in (
        (Registration, Registration.id, "r"),
        (Companion, Companion.registration_id, "c"),
    ):
        ids = [int(k[1:]) for k in keys if k.startswith(kind)]
        for start in range(0, len(ids), 500):
            statement = (
                sa.update(model)
                .where(model.id.in_(ids[start : start + 500]), owner.in_(of_event))
                .values(badge_printed_at=now)
                .execution_options(synchronize_session=False)
            )
            db.session.execute(audit.bulk(statement, "none: a printing mark, no personal data"))


def set_format(event: Event, badge_format: str) -> bool:
    """The event's badge format, if it is one of FORMATS."""
    if badge_format not in FORMATS:
        return False
    event.badge_format = badge_format
    return True


def format_of(event: Event) -> str:
    return event.badge_format if event.badge_format in FORMATS else DEFAULT_FORMAT
