"""Organisations and partners."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from blueprints.orgs.models import Organisation, Partner, PartnerKind
from extensions import db

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,38}$")


class OrgError(Exception):
    pass


def create_organisation(slug: str, name_fr: str, name_ar: str = "", **fields) -> Organisation:
    if not SLUG_RE.match(slug):
        raise OrgError(_l("A slug has 2 to 39 lower-case letters, digits or dashes."))
    if db.session.scalar(sa.select(Organisation.id).where(Organisation.slug == slug)):
        raise OrgError(_l("This slug is taken."))
    org = Organisation(slug=slug, name_fr=name_fr, name_ar=name_ar, **fields)
    org.sender_name = org.sender_name or name_fr
    db.session.add(org)
    db.session.flush()
    return org


def partners_of(organisation_id: int) -> list[Partner]:
    return list(
        db.session.scalars(
            sa.select(Partner)
            .where(Partner.organisation_id == organisation_id)
            .order_by(Partner.name_fr)
        )
    )


def save_partner(organisation_id: int, partner: Partner | None, **fields) -> Partner:
    clash = sa.select(Partner.id).where(
        Partner.organisation_id == organisation_id, Partner.name_fr == fields["name_fr"]
    )
    if partner is not None:
        clash = clash.where(Partner.id != partner.id)
    if db.session.scalar(clash) is not None:
        raise OrgError(_l("A partner with this name exists already."))
    if partner is None:
        partner = Partner(organisation_id=organisation_id)
        db.session.add(partner)
    for name, value in fields.items():
        setattr(partner, name, PartnerKind(value) if name == "kind" else value)
    db.session.flush()
    return partner
