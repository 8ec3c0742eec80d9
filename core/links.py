"""The one page for a personal link that does not open (RSVP, ticket, survey, unsubscribe,
my data): what happened and what to do next, in the visitor's language, with the
organisation's contact when the link tells which organisation sent it.

A link nobody issued is a 404; a link that was issued but expired, was used once already
or was revoked is a 410 Gone, so that a browser or a mail client knows not to retry it.
"""

from __future__ import annotations

import enum

from flask import render_template
from flask_babel import lazy_gettext as _l

from core.i18n import use_person_language


class LinkKind(enum.Enum):
    RSVP = "rsvp"
    TICKET = "ticket"
    SURVEY = "survey"
    UNSUBSCRIBE = "unsubscribe"
    MY_DATA = "my_data"
    REPLY = "reply"  # the member's one reply to an answer to their concern


class LinkProblem(enum.Enum):
    UNKNOWN = "unknown"  # mistyped, cut in two by a mail client, or never ours
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"

    @property
    def status(self) -> int:
        return 404 if self is LinkProblem.UNKNOWN else 410


def _headings() -> dict[LinkProblem, str]:
    return {
        LinkProblem.UNKNOWN: _l("This link does not open"),
        LinkProblem.EXPIRED: _l("This link has expired"),
        LinkProblem.USED: _l("This link was already used"),
        LinkProblem.REVOKED: _l("This link no longer works"),
    }


def _next_steps() -> dict[LinkKind, str]:
    return {
        LinkKind.RSVP: _l(
            "Open the invitation again from your most recent email and tap the whole link. "
            "If it still does not open, ask the organisers to send your invitation again."
        ),
        LinkKind.TICKET: _l(
            "Your ticket may have been replaced by a new one: open it from your most recent "
            "email, or from your answer page. If you cannot find it, ask the organisers."
        ),
        LinkKind.SURVEY: _l(
            "Open the survey from the link in your most recent email. If it still does not "
            "open, the organisers can send it to you again."
        ),
        LinkKind.UNSUBSCRIBE: _l(
            "To receive no more invitations, use the link at the bottom of your most recent "
            "invitation, or write to the organisers."
        ),
        LinkKind.MY_DATA: _l("A link to your data works once, within 24 hours. Ask for a new one."),
        LinkKind.REPLY: _l(
            "Open the answer from the link in your most recent email. To say more about your "
            "concern, write to the organisers."
        ),
    }


def link_problem(
    kind: LinkKind,
    problem: LinkProblem = LinkProblem.UNKNOWN,
    *,
    organisation=None,
    locale: str | None = None,
    retry_url: str | None = None,
):
    """The response for a personal link that does not open: the page and its status."""
    use_person_language(locale)  # the holder's language when known, else the visitor's
    page = render_template(
        "errors/link.html",
        heading=_headings()[problem],
        next_step=_next_steps()[kind],
        organisation=organisation,
        retry_url=retry_url,
        problem=problem.value,
    )
    return page, problem.status
