"""The one-time link to a member's own page, emailed when they ask for it (core.outbox)."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from blueprints.members.models import Member
from blueprints.privacy import mydata
from blueprints.privacy.models import MyDataLink
from core.db import utcnow
from core.email_preview import Sample
from core.emails import from_organisation, render_pair
from core.i18n import localized, person_language
from core.outbox import BuiltEmail, OutboxMessage, SkipMessage
from extensions import db


def build_link(message: OutboxMessage) -> BuiltEmail:
    link = db.session.get(MyDataLink, message.payload["link_id"])
    if link is None or link.organisation_id != message.organisation_id:
        raise LookupError("the link no longer exists")
    if link.used_at is not None or link.expires_at < utcnow():
        raise SkipMessage("the link was used or expired before the email left")
    organisation = mydata.organisation_of(link.organisation_id)
    locale = person_language(message.locale)
    with force_locale(locale):
        name = localized(organisation, "name", locale)
        subject = _("Your data at %(organisation)s", organisation=name)
    text, html = render_pair(
        "privacy/email/link", locale, name=message.to_name, url=mydata.link_url(link),
        organisation_name=name,
    )  # fmt: skip
    return from_organisation(organisation, locale, subject=subject, text=text, html=html)


# Wired by the feature's init_app: the outbox asks for a builder by the message's kind.
BUILDERS = {"my_data_link": build_link}


def _sample_link(sample: Sample) -> dict:
    """A member who asked for their data, and their link (rolled back after)."""
    member = Member(organisation_id=sample.organisation_id, full_name=sample.name,
                    locale=sample.locale)  # fmt: skip
    db.session.add(member)
    db.session.flush()
    return {"link_id": mydata.issue_link(member).id}


# Wired by the feature's init_app: what each kind's preview is built from.
SAMPLES = {"my_data_link": _sample_link}
