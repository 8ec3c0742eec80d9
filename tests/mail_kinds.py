"""One email of every kind Liqaa sends, through the outbox to the real test SMTP server.

`send_every_kind(org, smtp_server, locale)` queues each kind for one person in `locale`
with the builders' real payloads, delivers them, and returns {kind: (raw bytes, parsed)}.
The email tests (plain text, SpamAssassin, names and times) read what came out.
"""

from __future__ import annotations

from datetime import timedelta

from blueprints.auth.models import User
from blueprints.events.models import EventStatus
from blueprints.followups.models import (
    FollowUp,
    FollowUpMessage,
    FollowUpSource,
    FollowUpStatus,
    MessageKind,
    MessageOutcome,
)
from blueprints.invitations.models import EventNotice, Invitation, NoticeKind
from blueprints.orgs.models import Partner
from blueprints.privacy.models import MyDataLink
from blueprints.rsvp.models import Registration, RegistrationConfirmation, RegistrationStatus
from blueprints.surveys import services as surveys
from blueprints.surveys.models import SurveyInvite
from core import outbox
from core.db import utcnow
from core.outbox_delivery import deliver_due
from core.roles import Role
from core.tokens import new_token
from extensions import db
from tests.conftest import make_event, make_member

NAMES = {"ar": "أمينة الريفي", "fr": "Jean Dupont", "en": "John Smith"}


def _event(org):
    return make_event(
        org,
        title_ar="لقاء تواصلي حول الحماية الاجتماعية",
        title_fr="Rencontre d'information sur la protection sociale",
        title_en="Information meeting on social security",
        description_ar="لقاء لشرح التسجيل في الضمان الاجتماعي للمقاولين الذاتيين.",
        description_fr="Une rencontre pour expliquer l'inscription des auto-entrepreneurs.",
        description_en="A meeting to explain how self-employed people register.",
        venue_address="Boulevard Principal, Nador",
        map_url="https://www.openstreetmap.org/?mlat=35.17&mlon=-2.93",
        starts_in=timedelta(days=10),
    )


def _people(org, event, locale):
    member = make_member(
        org, NAMES[locale], email=f"member-{locale}@example.ma", locale=locale, consent_at=utcnow()
    )
    invitation = Invitation(organisation_id=org.id, event_id=event.id, member_id=member.id)
    db.session.add(invitation)
    db.session.flush()
    registration = Registration(
        organisation_id=org.id,
        event_id=event.id,
        invitation_id=invitation.id,
        member_id=member.id,
        status=RegistrationStatus.ACCEPTED,
        full_name=member.full_name,
        email=member.email,
        locale=locale,
        consent_at=utcnow(),
        ticket_code=f"ticket-{locale}-code",
        ticket_issued_at=utcnow(),
    )
    db.session.add(registration)
    db.session.flush()
    return member, invitation, registration


def _subjects(org, event, invitation, registration) -> dict[str, dict]:
    """The rows each builder reads, and the payload pointing at them, per kind."""
    confirmation = RegistrationConfirmation(
        organisation_id=org.id,
        registration_id=registration.id,
        expires_at=utcnow() + timedelta(days=1),
    )
    changed = EventNotice(
        organisation_id=org.id, event_id=event.id, kind=NoticeKind.CHANGED, changes="time"
    )
    cancelled = EventNotice(organisation_id=org.id, event_id=event.id, kind=NoticeKind.CANCELLED)
    survey = surveys.create_survey(event)
    db.session.add_all([confirmation, changed, cancelled])
    db.session.flush()
    invite = SurveyInvite(
        organisation_id=org.id,
        survey_id=survey.id,
        person_key=f"r:{registration.id}",
        registration_id=registration.id,
        email=registration.email,
        full_name=registration.full_name,
        locale=registration.locale,
        send_at=utcnow(),
        created_at=utcnow(),
    )
    followup = FollowUp(
        organisation_id=org.id,
        event_id=event.id,
        text="Comment déclarer mes revenus trimestriels ?",
        source=FollowUpSource.RSVP,
        registration_id=registration.id,
        raised_by_name=registration.full_name,
        status=FollowUpStatus.RESOLVED,
        resolution="La déclaration se fait en ligne chaque trimestre, depuis votre espace.",
        resolved_at=utcnow(),
    )
    link = MyDataLink(organisation_id=org.id, member_id=registration.member_id,
                      expires_at=utcnow() + timedelta(days=1))  # fmt: skip
    db.session.add_all([invite, followup, link])
    db.session.flush()
    answer = FollowUpMessage(
        organisation_id=org.id,
        kind=MessageKind.ANSWER,
        outcome=MessageOutcome.NEEDS_DOCUMENTS,
        body="Merci d'apporter votre attestation d'affiliation à l'agence de Nador.",
        language="fr",
        created_at=utcnow(),
    )
    answer.reply_token = new_token()
    followup.messages.append(answer)
    partner = Partner(organisation_id=org.id, name_fr="CNSS Nador", name_ar="الضمان الاجتماعي")
    db.session.add(partner)
    db.session.flush()
    agent = User(
        organisation_id=org.id,
        email=f"agent-{registration.locale}@cnss.example",
        role=Role.PARTNER,
        partner_id=partner.id,
        full_name=registration.full_name,
        locale=registration.locale,
        password_hash="!",
        invite_expires_at=utcnow() + timedelta(days=7),
    )
    agent.invite = new_token()
    waiting = FollowUp(
        organisation_id=org.id,
        event_id=event.id,
        text="Mon attestation de salaire n’apparaît pas sur Damancom.",
        source=FollowUpSource.RSVP,
        raised_by_name=registration.full_name,
        partner_id=partner.id,
        created_at=utcnow() - timedelta(days=9),
    )
    reader = User(
        organisation_id=org.id,
        email=f"reader-{registration.locale}@cnss.example",
        role=Role.PARTNER,
        partner_id=partner.id,
        full_name=registration.full_name,
        locale=registration.locale,
        password_hash="!",
    )
    keeper = User(
        organisation_id=org.id,
        email=f"keeper-{registration.locale}@example.ma",
        role=Role.ORGANISER,
        full_name=registration.full_name,
        locale=registration.locale,
        password_hash="!",
        reset_expires_at=utcnow() + timedelta(hours=1),
    )
    keeper.reset = new_token()
    db.session.add_all([agent, waiting, reader, keeper])
    db.session.flush()
    on_invitation = {"invitation_id": invitation.id}
    on_registration = {"registration_id": registration.id}
    return {
        "invitation": on_invitation,
        "reminder": on_invitation,
        "rsvp_ticket": {**on_registration, "reason": "accepted"},
        "rsvp_waitlisted": on_registration,
        "rsvp_confirm": {**on_registration, "confirmation_id": confirmation.id},
        "rsvp_rejected": on_registration,
        "event_notice": {"notice_id": changed.id, **on_invitation, **on_registration},
        "event_notice:cancelled": {"notice_id": cancelled.id, **on_invitation},
        "survey_invite": {"invite_id": invite.id},
        "survey_reminder": {"invite_id": invite.id},
        "followup_resolved": {"followup_id": followup.id},
        "my_data_link": {"link_id": link.id},
        "followup_answer": {"message_id": answer.id},
        "partner_invite": {"user_id": agent.id},
        "partner_digest": {"user_id": reader.id, "week": "2026-W49", "followup_ids": [waiting.id]},
        "password_reset": {"user_id": keeper.id},
    }


def send_every_kind(
    org, smtp_server, locale: str = "fr", kinds=None, bare: bool = False
) -> dict[str, tuple[bytes, object]]:
    """`kinds`: only those; `bare`: an event with no description, address or map (the
    emails with the least text)."""
    event = make_event(org, starts_in=timedelta(days=10)) if bare else _event(org)
    member, invitation, registration = _people(org, event, locale)
    payloads = _subjects(org, event, invitation, registration)
    received = {}
    for kind, payload in payloads.items():
        if kinds is not None and kind not in kinds:
            continue
        if kind == "event_notice:cancelled":
            event.status = EventStatus.CANCELLED
        outbox.enqueue(
            db.session,
            key=kind,
            kind=kind.partition(":")[0],
            to_email=member.email,
            to_name=member.full_name,
            locale=locale,
            payload=payload,
            organisation_id=org.id,
        )
        db.session.commit()
        smtp_server.messages.clear()
        smtp_server.raw.clear()
        assert deliver_due() == (1, 0), kind
        smtp_server.wait_for(1)
        received[kind] = (smtp_server.raw[0], smtp_server.messages[0][2])
    return received
