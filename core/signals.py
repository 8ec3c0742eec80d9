"""Domain signals: one feature tells, others listen, no import cycle between them."""

from blinker import Namespace

_signals = Namespace()

# sender: the Event; kwargs: changes (a set of "time", "venue"), actor (a User or None)
event_changed = _signals.signal("event-changed")
# sender: the Event; kwargs: actor
event_cancelled = _signals.signal("event-cancelled")
