"""Domain signals: one feature tells, others listen, no import cycle between them."""

from blinker import Namespace

_signals = Namespace()

# sender: the Event; kwargs: changes (a set of "time", "venue"), actor (a User or None)
event_changed = _signals.signal("event-changed")
# sender: the Event; kwargs: actor
event_cancelled = _signals.signal("event-cancelled")
# sender: the Event, whose capacity was just raised (places may be given to those waiting)
capacity_raised = _signals.signal("capacity-raised")

# A concern an entrepreneur raised, to be followed up (RSVP answer, survey answer, door note).
# sender: None; kwargs: organisation_id, event_id, text, source ("rsvp" | "survey" | "door"
# | "organiser"), registration_id (or None when anonymous), question (the label, or "")
concern_raised = _signals.signal("concern-raised")
