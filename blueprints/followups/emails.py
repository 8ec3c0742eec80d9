"""The answer to a concern, emailed to the person who raised it (core.outbox)."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from blueprints.followups.models import FollowUp
from core.i18n import localized, text_direction
from core.outbox import BuiltEmail, OutboxMessage
from extensions import db


def build_resolved(message: OutboxMessage) -> BuiltEmail:
    followup = db.session.get(FollowUp, message.payload["followup_id"])
    if followup is None or followup.organisation_id != message.organisation_id:
        raise LookupError("the follow-up no longer exists")
    event = followup.event
    organisation = event.organisation
    locale = message.locale if message.locale in ("ar", "fr") else "ar"
    with force_locale(locale):
        context = {
            "followup": followup,
            "name": message.to_name,
            "event_title": localized(event, "title", locale),
            "organisation_name": localized(organisation, "name", locale),
            "assigned": localized(followup.partner, "name", locale)
            if followup.partner
            else followup.department,
            "lang": locale,
            "dir": text_direction(locale),
        }
        subject = _(
            "An answer to the question you raised at %(event)s", event=context["event_title"]
        )
        text = render_template("followups/email/resolved.txt", **context)
        html = render_template("followups/email/resolved.html", **context)
    return BuiltEmail(
        subject=subject,
        text=text,
        html=html,
        reply_to=organisation.reply_to,
        sender_name=organisation.sender_name,
    )


# Wired by the feature's init_app: the outbox asks for a builder by the message's kind.
BUILDERS = {
    "followup_resolved": build_resolved,
}
