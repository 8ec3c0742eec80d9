"""Previews of every kind of email, as it would leave, before anything is sent.

Each feature registers, next to its builders, one sample per kind it sends
(`register_samples`): a function that adds the rows its builder reads (a person, their
registration, a follow-up…) for the organiser's event and returns the message's payload.
`preview` runs the sample and the real builder inside a savepoint and rolls it back, so
what the organiser reads is what the builder makes, and nothing of it stays in the database
or leaves the app (no outbox row is written).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from core.outbox import BuiltEmail, OutboxMessage, builder_for
from extensions import db

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

PREVIEW_EMAIL = "preview@liqaa.invalid"  # the sample person's address; nothing is sent
NO_PASSWORD = "!"  # noqa: S105 - a sample account's hash: no password matches it


class Sample:
    """What a sample gets: the event, the language and the name to show."""

    def __init__(self, event: Any, locale: str, name: str) -> None:
        self.event = event
        self.locale = locale
        self.name = name
        self.email = PREVIEW_EMAIL
        self.organisation_id: int = event.organisation_id

    def account_email(self) -> str:
        """An address no account has (accounts' addresses are unique across the app)."""
        return f"preview-{secrets.token_hex(8)}@liqaa.invalid"


# kind → sample(Sample) returning the payload, or a BuiltEmail when no row is needed
SampleMaker = Callable[[Sample], "dict | BuiltEmail"]
_SAMPLES: dict[str, SampleMaker] = {}
_STAFF_KINDS: set[str] = set()


def register_samples(samples: dict[str, SampleMaker], staff: bool = False) -> None:
    """Called by each feature's init_app with its `emails.SAMPLES` (kind → sample);
    `staff`: emails to staff and partner accounts, listed after the guests' emails."""
    _SAMPLES.update(samples)
    if staff:
        _STAFF_KINDS.update(samples)


def preview_kinds() -> list[str]:
    """Every kind that has a sample: the guests' emails first, in the order the features
    registered them (invitation first), then the staff's."""
    return sorted(_SAMPLES, key=lambda kind: kind in _STAFF_KINDS)


def preview(kind: str, event: Any, locale: str, name: str) -> BuiltEmail:
    """The `kind` email a person named `name` would receive in `locale` about `event`."""
    make = _SAMPLES[kind]
    session: Session = db.session
    savepoint = session.begin_nested()
    try:
        sample = Sample(event, locale, name)
        made = make(sample)
        if isinstance(made, BuiltEmail):
            return made
        session.flush()
        message = OutboxMessage(
            key=f"preview/{kind}",
            kind=kind,
            to_email=sample.email,
            to_name=name,
            locale=locale,
            payload=made,
            organisation_id=sample.organisation_id,
        )
        return builder_for(kind)(message)
    finally:
        savepoint.rollback()
