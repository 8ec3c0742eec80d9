"""The RSVP feature's refusals: each carries a translated message shown to the person."""

from __future__ import annotations


class RsvpError(Exception):
    """A domain refusal whose message (translated) is shown to the person."""


class RsvpClosed(RsvpError):
    pass


class LinkExpired(RsvpError):
    pass


class EventFull(RsvpError):
    """No place left: `taken` of `capacity` are held."""

    def __init__(self, message, taken: int, capacity: int):
        super().__init__(message)
        self.taken, self.capacity = taken, capacity
