"""The answer to a concern, emailed to the person who raised it (core.outbox)."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from blueprints.followups import services
from blueprints.followups.models import FollowUp
from blueprints.invitations import services as invitations
from core.emails import from_organisation, render_pair
from core.i18n import localized
from core.outbox import BuiltEmail, OutboxMessage, SkipMessage
from extensions import db


def build_resolved(message: OutboxMessage) -> BuiltEmail:
    followup = db.session.get(FollowUp, message.payload["followup_id"])
    if followup is None or followup.organisation_id != message.organisation_id:
        raise LookupError("the follow-up no longer exists")
    registration = services.may_contact(followup)  # consent, and not unsubscribed, now
    if registration is None:
        raise SkipMessage("the person may no longer be contacted (unsubscribed or no consent)")
    event = followup.event
    organisation = event.organisation
    locale = message.locale if message.locale in ("ar", "fr", "en") else "ar"
    with force_locale(locale):
        context = {
            "followup": followup,
            "name": message.to_name,
            "event_title": localized(event, "title", locale),
            "organisation_name": localized(organisation, "name", locale),
            "assigned": localized(followup.partner, "name", locale)
            if followup.partner
            else followup.department,
        }
        subject = _(
            "An answer to the question you raised at %(event)s", event=context["event_title"]
        )
    text, html = render_pair("followups/email/resolved", locale, **context)
    headers = invitations.list_unsubscribe_headers(registration.invitation)
    return from_organisation(
        organisation, locale, subject=subject, text=text, html=html, headers=headers
    )


# Wired by the feature's init_app: the outbox asks for a builder by the message's kind.
BUILDERS = {
    "followup_resolved": build_resolved,
}
