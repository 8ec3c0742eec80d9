"""A member's own page: the one-time link that opens it, everything held about them,
and what they may change themselves (name, company, phone, language, consent)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from blueprints.followups.models import FollowUp
from blueprints.invitations import services as invitations
from blueprints.invitations.models import Invitation
from blueprints.members.models import Member
from blueprints.orgs.models import Organisation, Partner
from blueprints.privacy.models import MyDataLink
from blueprints.rsvp.models import Registration
from blueprints.surveys.models import SurveyInvite
from core import audit, outbox
from core.db import utcnow
from core.i18n import localized
from core.tokens import find_by_token
from core.urls import external_url
from extensions import db

LINK_LIFETIME = timedelta(hours=24)


class MyDataError(Exception):
    """A domain error with a message for the member."""


def organisation_of(organisation_id: int) -> Organisation:
    return db.session.get(Organisation, organisation_id)


def issue_link(member: Member) -> MyDataLink:
    link = MyDataLink(
        organisation_id=member.organisation_id,
        member_id=member.id,
        expires_at=utcnow() + LINK_LIFETIME,
    )
    db.session.add(link)
    db.session.flush()
    return link


def link_url(link: MyDataLink) -> str:
    return external_url(f"/my-data/open/{link.token}")


def my_data_url() -> str:
    return external_url("/my-data")


def members_with_email(email: str) -> list[Member]:
    """The members (one per organisation at most, usually) this address belongs to."""
    email = (email or "").strip().lower()
    if not email or len(email) > 254:
        return []
    return list(
        db.session.scalars(
            sa.select(Member).where(Member.email == email, Member.erased_at.is_(None))
        )
    )


def send_links(email: str) -> int:
    """A one-time link emailed to each member with this address; how many were queued."""
    queued = 0
    for member in members_with_email(email):
        link = issue_link(member)
        queued += (
            1
            if outbox.enqueue(
                db.session,
                key=f"my_data_link:{link.id}",
                kind="my_data_link",
                to_email=member.email,
                to_name=member.full_name[:200],
                locale=member.locale,
                payload={"link_id": link.id},
                organisation_id=member.organisation_id,
                subject=("member", member.id),
            )
            else 0
        )
    db.session.flush()
    return queued


def open_link(token: str) -> Member | None:
    """The member this one-time link opens, once and within its lifetime; else None."""
    link = find_by_token(MyDataLink, token)
    if link is None or link.used_at is not None or link.expires_at < utcnow():
        return None
    link.used_at = utcnow()
    db.session.flush()
    return link.member if link.member.erased_at is None else None


def why_closed(token: str) -> str:
    """Why `open_link` refused this token: "unknown", "used" or "expired"."""
    link = find_by_token(MyDataLink, token)
    if link is None or link.member.erased_at is not None:
        return "unknown"
    return "used" if link.used_at is not None else "expired"


def correct(member: Member, *, full_name: str, company: str, phone: str | None, locale: str):
    """The member's own corrections (checked by the form)."""
    if (
        phone
        and phone != member.phone
        and db.session.scalar(
            sa.select(Member.id).where(
                Member.organisation_id == member.organisation_id, Member.phone == phone
            )
        )
    ):
        raise MyDataError(_l("This phone number belongs to another member."))
    fields = []
    for name, value in (("full_name", full_name), ("company", company), ("phone", phone),
                        ("locale", locale)):  # fmt: skip
        if getattr(member, name) != value:
            setattr(member, name, value)
            fields.append(name)
    if fields:
        audit.record("member.self_correct", "member", member.id, fields=fields,
                     organisation_id=member.organisation_id)  # fmt: skip
    db.session.flush()
    return fields


def withdraw_consent(member: Member) -> None:
    """No more invitations (what the unsubscribe link does), and consent withdrawn."""
    invitation = db.session.scalar(sa.select(Invitation).where(Invitation.member_id == member.id))
    if invitation is not None:
        invitations.unsubscribe(invitation)
    member.unsubscribed_at = member.unsubscribed_at or utcnow()
    member.consent_at = None
    audit.record("member.consent_withdrawn", "member", member.id,
                 organisation_id=member.organisation_id)  # fmt: skip
    db.session.flush()


def _when(value):
    return value.isoformat() if value else None


def everything_about(member: Member) -> dict:
    """All the organisation holds about this member, as plain JSON-able values."""
    locale = member.locale
    regs = list(db.session.scalars(
        sa.select(Registration).where(Registration.member_id == member.id)
        .order_by(Registration.id)))  # fmt: skip
    reg_ids = [r.id for r in regs]
    invites = db.session.scalars(
        sa.select(Invitation).where(Invitation.member_id == member.id).order_by(Invitation.id)
    )
    surveys = db.session.scalars(
        sa.select(SurveyInvite).where(SurveyInvite.registration_id.in_(reg_ids))
    )
    followups = db.session.scalars(
        sa.select(FollowUp).where(FollowUp.registration_id.in_(reg_ids)).order_by(FollowUp.id)
    )
    emails = db.session.scalars(
        sa.select(outbox.OutboxMessage)
        .where(
            outbox.OutboxMessage.organisation_id == member.organisation_id,
            sa.func.lower(outbox.OutboxMessage.to_email) == (member.email or "-").lower(),
        )
        .order_by(outbox.OutboxMessage.id)
    )
    return {
        "profile": {
            "full_name": member.full_name, "company": member.company, "trade": member.trade,
            "city": member.city, "email": member.email, "phone": member.phone,
            "language": member.locale, "category": member.category.value,
            "ice": member.ice, "cnss_number": member.cnss_number, "notes": member.notes,
            "tags": member.tag_names, "added": _when(member.created_at),
        },
        "consent": {
            "given_at": _when(member.consent_at), "how": member.consent_source,
            "unsubscribed_at": _when(member.unsubscribed_at),
            "erasure_requested_at": _when(member.erasure_requested_at),
        },
        "invitations": [
            {"event": localized(i.event, "title", locale), "invited_at": _when(i.created_at),
             "answered_at": _when(i.responded_at)}
            for i in invites
        ],
        "registrations": [
            {"event": localized(r.event, "title", locale), "status": r.status.value,
             "full_name": r.full_name, "email": r.email, "phone": r.phone, "company": r.company,
             "companions": [c.full_name for c in r.companion_list],
             "answers": [{"question": localized(a.question, "label", locale), "answer": a.value}
                         for a in r.answers],
             "checked_in_at": _when(r.checked_in_at)}
            for r in regs
        ],
        "surveys": [
            {"event": localized(s.survey.event, "title", locale), "answered": s.responded,
             "anonymous": s.survey.anonymous}
            for s in surveys
        ],
        "followups": [
            {"event": localized(f.event, "title", locale), "text": f.text,
             "status": f.status.value, "answer": f.resolution}
            for f in followups
        ],
        "emails": [
            {"kind": m.kind, "state": m.state.value, "queued_at": _when(m.created_at),
             "sent_at": _when(m.sent_at)}
            for m in emails
        ],
    }  # fmt: skip


def partners_of(organisation_id: int) -> list[Partner]:
    """The bodies that see follow-ups (recipients, for the processing register)."""
    return list(
        db.session.scalars(
            sa.select(Partner).where(Partner.organisation_id == organisation_id)
            .order_by(Partner.name_fr)
        )
    )  # fmt: skip
