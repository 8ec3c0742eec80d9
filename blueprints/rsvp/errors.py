"""The RSVP feature's refusals: each carries a translated message shown to the person."""

from __future__ import annotations


class RsvpError(Exception):
    """A domain refusal whose message (translated) is shown to the person."""


class RsvpClosed(RsvpError):
    pass


class LinkExpired(RsvpError):
    pass
