"""The survey invitation and its reminder, built when they leave (core.outbox)."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from blueprints.invitations import services as invitations
from blueprints.rsvp.emails import sample_registration
from blueprints.surveys import services
from blueprints.surveys.models import SurveyInvite
from core.db import utcnow
from core.email_preview import Sample
from core.emails import from_organisation, render_pair
from core.i18n import localized, person_language
from core.outbox import BuiltEmail, OutboxMessage, SkipMessage
from core.urls import external_url
from extensions import db


def survey_link(invite: SurveyInvite) -> str:
    return external_url(f"/s/{invite.token}")


def _build(message: OutboxMessage, reminder: bool) -> BuiltEmail:
    invite = db.session.get(SurveyInvite, message.payload["invite_id"])
    if invite is None or invite.organisation_id != message.organisation_id:
        raise LookupError("the survey invitation no longer exists")
    survey = invite.survey
    event = survey.event
    organisation = event.organisation
    registration = invite.registration
    member = registration.member if registration is not None else None
    own = invite.companion_id is None  # the member's own invitation, not a companion's
    if own and member is not None and member.unsubscribed_at is not None:
        raise SkipMessage("the member unsubscribed")
    locale = person_language(message.locale)
    with force_locale(locale):
        context = {
            "invite": invite,
            "survey": survey,
            "event_title": localized(event, "title", locale),
            "organisation_name": localized(organisation, "name", locale),
            "link": survey_link(invite),
            "reminder": reminder,
        }
        if reminder:
            subject = _("Reminder: your opinion on %(event)s", event=context["event_title"])
        else:
            subject = _("Your opinion on %(event)s", event=context["event_title"])
    text, html = render_pair("surveys/email/invite", locale, **context)
    headers = invitations.list_unsubscribe_headers(
        registration.invitation if own and registration is not None else None
    )
    return from_organisation(
        organisation, locale, subject=subject, text=text, html=html, headers=headers
    )


def build_invite(message: OutboxMessage) -> BuiltEmail:
    return _build(message, reminder=False)


def build_reminder(message: OutboxMessage) -> BuiltEmail:
    return _build(message, reminder=True)


# Wired by the feature's init_app: the outbox asks for a builder by the message's kind.
BUILDERS = {
    "survey_invite": build_invite,
    "survey_reminder": build_reminder,
}


# --------------------------------------------------------------------------- previews


def _sample_invite(sample: Sample) -> dict:
    """An attendee's survey invitation for the organiser's event (rolled back after)."""
    registration = sample_registration(sample)
    invite = SurveyInvite(
        organisation_id=sample.organisation_id,
        survey_id=services.create_survey(sample.event).id,
        person_key=f"r:{registration.id}",
        registration_id=registration.id,
        email=sample.email,
        full_name=sample.name,
        locale=sample.locale,
        send_at=utcnow(),
        created_at=utcnow(),
    )
    db.session.add(invite)
    db.session.flush()
    return {"invite_id": invite.id}


# Wired by the feature's init_app: what each kind's preview is built from.
SAMPLES = {"survey_invite": _sample_invite, "survey_reminder": _sample_invite}
