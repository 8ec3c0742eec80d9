"""The press release of a meeting: a draft in Arabic and in French built from the event's
data (who met whom, where and when, what was presented, the figures, what the partners
answered), which the organisers edit and keep with the event.

Plain values in, domain errors out; services only flush. The draft is plain text (a title
and paragraphs): pages and PDFs escape it, the .docx writer stores it as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from blueprints.events.models import Event
from blueprints.members.models import MemberCategory
from blueprints.reports import services
from blueprints.reports.models import RELEASE_LANGUAGES, PressRelease
from blueprints.rsvp.models import Registration
from extensions import db

TITLE_MAX = 300
BODY_MAX = 50_000
GUESTS_MAX = 30  # officials and partners named in the draft
# What XML 1.0 (and so a .docx) cannot hold, and what a plain text should not: C0 controls
# but tab and line breaks, and the non-characters U+FFFE/U+FFFF; lone surrogates too.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


class ReleaseError(Exception):
    """A domain error with a message for the organiser."""


class EditsWouldBeLost(ReleaseError):
    """Regenerating would replace text an organiser wrote: ask first."""


@dataclass
class Draft:
    language: str
    title: str
    body: str
    stored: PressRelease | None  # None: not saved yet (the generated text is shown)

    @property
    def edited(self) -> bool:
        return bool(self.stored and self.stored.edited)


def clean_text(value: str | None, limit: int) -> str:
    """The text as an organiser may keep it: no control characters, Windows line ends made
    plain, at most `limit` characters."""
    text = _NOT_TEXT.sub("", (value or "").replace("\r\n", "\n").replace("\r", "\n"))
    return text.strip()[:limit]


def _guests(event: Event) -> list[Registration]:
    """The officials and partners who came, in the order they arrived."""
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.organisation_id == event.organisation_id,
                Registration.checked_in_at.is_not(None),
                Registration.category.in_((MemberCategory.OFFICIAL, MemberCategory.PARTNER)),
            )
            .order_by(Registration.checked_in_at, Registration.id)
            .limit(GUESTS_MAX)
        )
    )


def generate(event: Event, language: str) -> tuple[str, str]:
    """The title and text built from the event's data, in `language` (ar or fr)."""
    if language not in RELEASE_LANGUAGES:
        raise ReleaseError(_l("Choose Arabic or French."))
    with force_locale(language):
        report = services.build(event, language)
        text = render_template(
            "reports/press_release.txt",
            event=event,
            report=report,
            guests=_guests(event),
            lang=language,
        )
    title, _, body = text.strip().partition("\n")
    body = re.sub(r"\n{3,}", "\n\n", body.strip())
    return clean_text(title, TITLE_MAX), clean_text(body, BODY_MAX)


def stored(event: Event, language: str) -> PressRelease | None:
    return db.session.scalar(
        sa.select(PressRelease).where(
            PressRelease.event_id == event.id,
            PressRelease.organisation_id == event.organisation_id,
            PressRelease.language == language,
        )
    )


def current(event: Event, language: str) -> Draft:
    """What the organisers kept, or else the generated draft (not saved until they do)."""
    release = stored(event, language)
    if release is not None:
        return Draft(language, release.title, release.body, release)
    title, body = generate(event, language)
    return Draft(language, title, body, None)


def _release(event: Event, language: str) -> PressRelease:
    release = stored(event, language)
    if release is None:
        release = PressRelease(
            organisation_id=event.organisation_id, event_id=event.id, language=language
        )
        db.session.add(release)
    return release


def save(event: Event, language: str, title: str, body: str) -> PressRelease:
    """The organisers' text, kept with the event."""
    if language not in RELEASE_LANGUAGES:
        raise ReleaseError(_l("Choose Arabic or French."))
    release = _release(event, language)
    release.title = clean_text(title, TITLE_MAX)
    release.body = clean_text(body, BODY_MAX)
    release.edited = True
    db.session.flush()
    return release


def regenerate(event: Event, language: str, *, confirmed: bool) -> PressRelease:
    """The draft built again from today's data. Text an organiser edited is replaced only
    when they confirmed it (EditsWouldBeLost otherwise): nothing is lost silently."""
    existing = stored(event, language)
    if existing is not None and existing.edited and not confirmed:
        raise EditsWouldBeLost(
            _l("Your edits would be replaced. Tick the box to confirm, or keep your text.")
        )
    title, body = generate(event, language)
    release = _release(event, language)
    release.title, release.body, release.edited = title, body, False
    db.session.flush()
    return release
