"""The invitee's answer, seats and the waiting list, tickets, open registration."""

from __future__ import annotations

from flask import Flask

from blueprints.events import services as event_services
from blueprints.invitations import notices as invitations_notices
from blueprints.rsvp import emails, listeners, manage, public, tickets
from blueprints.rsvp.models import Registration
from blueprints.rsvp.routes import bp
from core import audit
from core.email_preview import register_samples
from core.outbox import register_builders
from core.signals import capacity_raised, event_cancelled

# The pages: importing these modules (above) attaches their routes to `bp`.
PAGES = (public, manage)


def init_app(app: Flask) -> None:
    """Everything this feature adds to the application, in one visible place."""
    app.register_blueprint(bp)
    audit.track(Registration, "registration", ignore={"ticket_code_sealed"})
    register_builders(emails.BUILDERS)
    register_samples(emails.SAMPLES)
    invitations_notices.register_attendees(listeners.notice_attendees, listeners.notice_link)
    event_services.register_capacity_floor(tickets.places_taken)
    capacity_raised.connect(listeners.on_capacity_raised)
    event_cancelled.connect(listeners.on_event_cancelled)
