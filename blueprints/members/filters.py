"""The tag and trade lists of the member filters, kept per organisation for a while.

Listing every distinct tag and trade of an organisation reads all its members (0.4 s at
80,000 members under load, on every members page and every invitation form). The lists
are kept per organisation for MEMBER_FILTER_CACHE_SECONDS (60; 0 turns the cache off) and
forgotten at once, in this process, when a flush writes a member or a tag; another web
process sees the change when its copy expires. A list one minute old costs nothing worse
than a filter that finds nobody or a tag missing from the choices for that minute.
"""

from __future__ import annotations

from itertools import chain

import sqlalchemy as sa
from sqlalchemy.orm import Session

from blueprints.members.models import Member, MemberTag
from blueprints.members.services import tags_of, trades_of
from core.kept import Kept

_lists = Kept("MEMBER_FILTER_CACHE_SECONDS", 60)


def filter_lists(organisation_id: int) -> tuple[list[str], list[str]]:
    """(tags, trades) of the organisation's current members, in order."""
    return _lists.get(
        organisation_id, lambda: (tags_of(organisation_id), trades_of(organisation_id))
    )


def forget() -> None:
    _lists.forget()


def _after_flush(session: Session, _context) -> None:
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Member | MemberTag):
            forget()
            return


def listen() -> None:
    """Forget the lists whenever members or tags are written (called once at start-up)."""
    if not sa.event.contains(Session, "after_flush", _after_flush):
        sa.event.listen(Session, "after_flush", _after_flush)
