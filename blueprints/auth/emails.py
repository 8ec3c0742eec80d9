"""The "forgotten password" email, with the one-time link, in the account's language."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import force_locale
from flask_babel import gettext as _

from blueprints.auth.models import User
from blueprints.auth.reset import RESET_KIND, RESET_MINUTES
from core.db import utcnow
from core.email_preview import NO_PASSWORD, Sample
from core.emails import from_organisation, render_pair
from core.i18n import localized, normalise_locale
from core.outbox import BuiltEmail, OutboxMessage, SkipMessage
from core.tokens import new_token
from core.urls import external_url
from extensions import db


def build_reset(message: OutboxMessage) -> BuiltEmail:
    user = db.session.get(User, message.payload["user_id"])
    if user is None or user.organisation_id != message.organisation_id:
        raise LookupError("the account no longer exists")
    token = user.reset
    if not token or not user.active:
        raise SkipMessage("the link was used or replaced, or the account deactivated")
    organisation = user.organisation
    locale = normalise_locale(message.locale) or "ar"
    with force_locale(locale):
        organisation_name = localized(organisation, "name", locale)
        subject = _("Choose a new password for Liqaa")
    text, html = render_pair(
        "auth/email/password_reset",
        locale,
        name=user.full_name,
        organisation_name=organisation_name,
        link=external_url(f"/password/reset/{token}"),
        minutes=RESET_MINUTES,
    )
    return from_organisation(organisation, locale, subject=subject, text=text, html=html)


BUILDERS = {RESET_KIND: build_reset}


def _sample_reset(sample: Sample) -> dict:
    """A staff account that asked for a new password (rolled back after the preview)."""
    user = User(organisation_id=sample.organisation_id, email=sample.account_email(),
                full_name=sample.name, locale=sample.locale, password_hash=NO_PASSWORD,
                reset_expires_at=utcnow() + timedelta(minutes=RESET_MINUTES))  # fmt: skip
    user.reset = new_token()
    db.session.add(user)
    db.session.flush()
    return {"user_id": user.id}


# Wired by the feature's init_app: what each kind's preview is built from.
SAMPLES = {RESET_KIND: _sample_reset}
