"""What invitations do when an event changes: record the notice the organiser confirms."""

from __future__ import annotations

from blueprints.invitations import delivery, notices


def on_event_changed(event, changes=None, actor=None, **_) -> None:
    notices.record_change(event, set(changes or ()), actor)


def on_event_cancelled(event, actor=None, **_) -> None:
    """No more invitations, reminders or change notices for it; the cancellation notice the
    organiser confirms next is queued after this."""
    delivery.cancel_queued(event, reason="the event was cancelled")
    notices.record_cancellation(event, actor)
