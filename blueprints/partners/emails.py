"""The partners' emails: the invitation of a person of a partner body (with the link to
set a password), and the weekly digest of the follow-ups waiting for them."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from blueprints.auth.models import User
from blueprints.followups import thread
from blueprints.followups.emails import sample_followup
from blueprints.orgs.models import Partner
from blueprints.partners import digest
from blueprints.partners.services import INVITE_DAYS
from core.db import utcnow
from core.email_preview import NO_PASSWORD, Sample
from core.emails import from_organisation, render_pair
from core.i18n import localized, person_language
from core.outbox import BuiltEmail, OutboxMessage, SkipMessage
from core.roles import Role
from core.tokens import new_token
from core.urls import external_url
from extensions import db


def build_invite(message: OutboxMessage) -> BuiltEmail:
    user = db.session.get(User, message.payload["user_id"])
    if user is None or user.organisation_id != message.organisation_id:
        raise LookupError("the partner account no longer exists")
    token = user.invite
    if not token:
        raise SkipMessage("the invitation was used or replaced")
    organisation = user.organisation
    locale = person_language(message.locale)
    with force_locale(locale):
        context = {
            "name": user.full_name,
            "partner_name": localized(user.partner, "name", locale) if user.partner else "",
            "organisation_name": localized(organisation, "name", locale),
            "invited_by": message.payload.get("invited_by", ""),
            "link": external_url(f"/welcome/{token}"),
            "days": INVITE_DAYS,
        }
        subject = _("%(organisation)s invites you to answer follow-ups in Liqaa",
                    organisation=context["organisation_name"])  # fmt: skip
    text, html = render_pair("partners/email/invite", locale, **context)
    return from_organisation(organisation, locale, subject=subject, text=text, html=html)


def build_digest(message: OutboxMessage) -> BuiltEmail:
    """The follow-ups queued for this account that still wait for the partner."""
    user = db.session.get(User, message.payload["user_id"])
    if user is None or user.organisation_id != message.organisation_id:
        raise LookupError("the partner account no longer exists")
    if user.role != Role.PARTNER or not user.active:
        raise SkipMessage("the account is no longer an active partner account")
    items = digest.due(user, ids=[int(i) for i in message.payload.get("followup_ids", [])])
    if not items:
        raise SkipMessage("every follow-up of the digest was answered meanwhile")
    organisation = user.organisation
    locale = person_language(message.locale)
    with force_locale(locale):
        context = {
            "name": user.full_name,
            "partner_name": localized(user.partner, "name", locale) if user.partner else "",
            "organisation_name": localized(organisation, "name", locale),
            "days": user.partner.digest_days if user.partner else 7,
            "items": [
                {
                    "event": localized(item.event, "title", locale) if item.event else "",
                    "text": item.text[:300],
                    "age": thread.age_days(item),
                    "status": item.status,
                    "link": external_url(f"/partner/followups/{item.id}"),
                }
                for item in items
            ],
            "inbox": external_url("/partner"),
        }
        subject = _("Follow-ups waiting for your answer: %(n)s", n=len(items))
    text, html = render_pair("partners/email/digest", locale, **context)
    return from_organisation(organisation, locale, subject=subject, text=text, html=html)


BUILDERS = {
    "partner_invite": build_invite,
    digest.DIGEST_KIND: build_digest,
}


# --------------------------------------------------------------------------- previews


def _sample_partner(sample: Sample) -> Partner:
    """The organisation's first partner body, or one made up for the preview."""
    partner = db.session.scalar(
        sa.select(Partner)
        .where(Partner.organisation_id == sample.organisation_id)
        .order_by(Partner.id)
        .limit(1)
    )
    if partner is None:
        names = {}
        for column in ("name_ar", "name_fr", "name_en"):  # the model's name in each language
            with force_locale(column.removeprefix("name_")):
                names[column] = _("A partner body")
        partner = Partner(organisation_id=sample.organisation_id, **names)
        db.session.add(partner)
        db.session.flush()
    return partner


def _sample_account(sample: Sample, **fields) -> User:
    partner = _sample_partner(sample)
    user = User(organisation_id=sample.organisation_id, email=sample.account_email(),
                role=Role.PARTNER, partner_id=partner.id, full_name=sample.name,
                locale=sample.locale, password_hash=NO_PASSWORD, **fields)  # fmt: skip
    db.session.add(user)
    db.session.flush()
    return user


def _sample_invite(sample: Sample) -> dict:
    user = _sample_account(sample, invite_expires_at=utcnow() + timedelta(days=INVITE_DAYS))
    user.invite = new_token()
    db.session.flush()
    return {"user_id": user.id}


def _sample_digest(sample: Sample) -> dict:
    """A partner account with one follow-up waiting longer than its digest's period."""
    user = _sample_account(sample)
    waited = timedelta(days=(user.partner.digest_days if user.partner else 7) + 2)
    followup = sample_followup(sample, partner_id=user.partner_id, created_at=utcnow() - waited)
    return {"user_id": user.id, "week": digest.week_of(utcnow()), "followup_ids": [followup.id]}


# Wired by the feature's init_app: what each kind's preview is built from.
SAMPLES = {"partner_invite": _sample_invite, digest.DIGEST_KIND: _sample_digest}
