"""The RSVP blueprint and the labels and tabs it shows; its pages are in `public.py` (the
invitee's answer, the ticket, the open form) and `manage.py` (the organiser's lists,
actions, questions and exports)."""

from __future__ import annotations

from flask import (
    Blueprint,
)
from flask_babel import lazy_gettext as _l

from blueprints.rsvp.models import (
    QuestionKind,
    RegistrationSource,
    RegistrationStatus,
)
from core.roles import Role
from core.templating import register_event_tab, register_labels

bp = Blueprint("rsvp", __name__)
register_labels(
    "email",
    {
        "rsvp_ticket": _l("Ticket"),
        "rsvp_waitlisted": _l("Waiting list notice"),
        "rsvp_confirm": _l("Email address confirmation"),
        "rsvp_rejected": _l("Registration not accepted"),
    },
)

register_event_tab("rsvp.registrations", _l("Registrations"), Role.ORGANISER, order=20)
register_event_tab("rsvp.questions", _l("RSVP form"), Role.ORGANISER, order=25)
register_labels(
    RegistrationStatus,
    {
        RegistrationStatus.ACCEPTED: _l("Accepted"),
        RegistrationStatus.DECLINED: _l("Declined"),
        RegistrationStatus.WAITLISTED: _l("Waiting list"),
        RegistrationStatus.PENDING_CONFIRMATION: _l("Email not confirmed"),
        RegistrationStatus.PENDING_APPROVAL: _l("Awaiting approval"),
        RegistrationStatus.REJECTED: _l("Rejected"),
        RegistrationStatus.CANCELLED: _l("Cancelled"),
    },
)
register_labels(
    RegistrationSource,
    {
        RegistrationSource.INVITATION: _l("Invitation"),
        RegistrationSource.OPEN_FORM: _l("Open form"),
        RegistrationSource.WALK_IN: _l("Walk-in"),
    },
)
register_labels(
    QuestionKind,
    {
        QuestionKind.SHORT_TEXT: _l("Short text"),
        QuestionKind.LONG_TEXT: _l("Long text"),
        QuestionKind.SINGLE_CHOICE: _l("One choice"),
        QuestionKind.MULTIPLE_CHOICE: _l("Several choices"),
        QuestionKind.YES_NO: _l("Yes or no"),
        QuestionKind.NUMBER: _l("Number"),
        QuestionKind.PHONE: _l("Phone"),
        QuestionKind.EMAIL: _l("Email"),
        QuestionKind.DATE: _l("Date"),
    },
)
