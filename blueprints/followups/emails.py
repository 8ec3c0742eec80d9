"""The answer to a concern, emailed to the person who raised it (core.outbox).

Two kinds share one email: `followup_resolved` (the organisers resolved it on the board)
and `followup_answer` (an answer in the thread, with the member's one-time reply link).
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from blueprints.followups import services
from blueprints.followups.models import (
    FollowUp,
    FollowUpMessage,
    FollowUpSource,
    FollowUpStatus,
    MessageKind,
    MessageOutcome,
)
from blueprints.invitations import services as invitations
from blueprints.rsvp.emails import sample_registration
from core.db import utcnow
from core.email_preview import Sample
from core.emails import from_organisation, render_pair
from core.i18n import localized, person_language
from core.outbox import BuiltEmail, OutboxMessage, SkipMessage
from core.tokens import new_token
from core.urls import external_url
from extensions import db


def _answer_email(message: OutboxMessage, followup: FollowUp, **extra) -> BuiltEmail:
    registration = services.may_contact(followup)  # consent, and not unsubscribed, now
    if registration is None:
        raise SkipMessage("the person may no longer be contacted (unsubscribed or no consent)")
    event = followup.event
    organisation = event.organisation
    locale = person_language(message.locale)
    with force_locale(locale):
        context = {
            "followup": followup,
            "name": message.to_name,
            "event_title": localized(event, "title", locale),
            "organisation_name": localized(organisation, "name", locale),
            "assigned": localized(followup.partner, "name", locale)
            if followup.partner
            else followup.department,
            "body": followup.resolution,
            "body_language": "",
            "needs_documents": False,
            "reply_link": "",
            **extra,
        }
        subject = _(
            "An answer to the question you raised at %(event)s", event=context["event_title"]
        )
    text, html = render_pair("followups/email/answer", locale, **context)
    headers = invitations.list_unsubscribe_headers(registration.invitation)
    return from_organisation(
        organisation, locale, subject=subject, text=text, html=html, headers=headers
    )


def build_resolved(message: OutboxMessage) -> BuiltEmail:
    followup = db.session.get(FollowUp, message.payload["followup_id"])
    if followup is None or followup.organisation_id != message.organisation_id:
        raise LookupError("the follow-up no longer exists")
    return _answer_email(message, followup)


def build_answer(message: OutboxMessage) -> BuiltEmail:
    answer = db.session.get(FollowUpMessage, message.payload["message_id"])
    if answer is None or answer.organisation_id != message.organisation_id:
        raise LookupError("the answer no longer exists")
    token = answer.reply_token
    return _answer_email(
        message,
        answer.followup,
        body=answer.body,
        body_language=answer.language,
        needs_documents=answer.outcome == MessageOutcome.NEEDS_DOCUMENTS,
        reply_link=external_url(f"/f/{token}") if token else "",
    )


# Wired by the feature's init_app: the outbox asks for a builder by the message's kind.
BUILDERS = {
    "followup_resolved": build_resolved,
    "followup_answer": build_answer,
}


# --------------------------------------------------------------------------- previews


def sample_followup(sample: Sample, registration=None, **fields) -> FollowUp:
    """A concern raised at the organiser's event, for a preview only (rolled back)."""
    with force_locale(sample.locale):
        text = _("How do I declare my income each quarter?")
    followup = FollowUp(
        organisation_id=sample.organisation_id,
        event_id=sample.event.id,
        text=text,
        source=FollowUpSource.RSVP,
        registration_id=registration.id if registration is not None else None,
        raised_by_name=sample.name,
        **fields,
    )
    db.session.add(followup)
    db.session.flush()
    return followup


def _sample_resolved(sample: Sample) -> dict:
    with force_locale(sample.locale):
        resolution = _("The declaration is made online each quarter, from your own account.")
    followup = sample_followup(
        sample, sample_registration(sample), status=FollowUpStatus.RESOLVED,
        resolution=resolution, resolved_at=utcnow(),
    )  # fmt: skip
    return {"followup_id": followup.id}


def _sample_answer(sample: Sample) -> dict:
    followup = sample_followup(sample, sample_registration(sample))
    with force_locale(sample.locale):
        body = _("Please bring your certificate of affiliation to the agency.")
    answer = FollowUpMessage(
        organisation_id=sample.organisation_id,
        followup_id=followup.id,
        kind=MessageKind.ANSWER,
        outcome=MessageOutcome.NEEDS_DOCUMENTS,
        body=body,
        language=sample.locale,
        created_at=utcnow(),
    )
    answer.reply_token = new_token()
    db.session.add(answer)
    db.session.flush()
    return {"message_id": answer.id}


# Wired by the feature's init_app: what each kind's preview is built from.
SAMPLES = {
    "followup_resolved": _sample_resolved,
    "followup_answer": _sample_answer,
}
