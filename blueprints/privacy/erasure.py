"""Erasing a member: asked on their own page and confirmed by an organiser, or done by one.

The member row stays (ids keep the organisation's counts and links right) with its
personal fields replaced; everything that names them elsewhere goes through
`anonymise`. Links and tokens stop working; their queued email is removed.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from blueprints.followups.models import FollowUp
from blueprints.invitations.models import Invitation
from blueprints.members.models import Member
from blueprints.privacy import anonymise
from blueprints.privacy.models import MyDataLink
from blueprints.reports.models import BadgeJob, BadgeJobPart
from blueprints.rsvp.models import Registration
from blueprints.surveys.models import SurveyInvite
from core import audit
from core.db import utcnow
from core.tokens import new_token
from extensions import db


class ErasureError(Exception):
    """A domain error with a message for the user."""


def request_erasure(member: Member) -> None:
    """The member asks (their page); an organiser confirms it from the member's page."""
    if member.erased_at is None and member.erasure_requested_at is None:
        member.erasure_requested_at = utcnow()
        audit.record("member.erasure_requested", "member", member.id,
                     organisation_id=member.organisation_id)  # fmt: skip
    db.session.flush()


def erase_member(member: Member) -> dict[str, int]:
    """Replace the member's personal data everywhere in their organisation; counts kept."""
    if member.erased_at is not None:
        raise ErasureError(_l("This member was already erased."))
    now = utcnow()
    email = (member.email or "").lower()
    registration_ids = list(
        db.session.scalars(
            sa.select(Registration.id).where(
                Registration.organisation_id == member.organisation_id,
                Registration.member_id == member.id,
            )
        )
    )
    invitation_ids = []
    for invitation in db.session.scalars(
        sa.select(Invitation).where(Invitation.member_id == member.id)
    ):
        invitation.token = new_token()  # the old link is dead; nobody knows the new one
        invitation_ids.append(invitation.id)
    invite_ids = list(
        db.session.scalars(
            sa.select(SurveyInvite.id).where(SurveyInvite.registration_id.in_(registration_ids))
        )
    )
    followup_ids = list(
        db.session.scalars(
            sa.select(FollowUp.id).where(FollowUp.registration_id.in_(registration_ids))
        )
    )
    removed, scrubbed = anonymise.outbox_for(
        member.organisation_id,
        {email} if email else set(),
        [("invitation", invitation_ids), ("registration", registration_ids),
         ("survey_invite", invite_ids), ("followup", followup_ids)],
    )  # fmt: skip
    done = anonymise.registrations(registration_ids)
    _drop_badge_sheets(registration_ids)
    db.session.execute(sa.delete(MyDataLink).where(MyDataLink.member_id == member.id))
    _blank(member, now)
    done.update(invitations=len(invitation_ids), emails_removed=removed, emails_kept=scrubbed)
    audit.record("member.erase", "member", member.id, detail=done,
                 organisation_id=member.organisation_id)  # fmt: skip
    db.session.flush()
    return done


def _drop_badge_sheets(registration_ids: list[int]) -> None:
    """Badge PDFs made or being made for their events hold the name: dropped (an organiser
    prepares the sheet again, without it)."""
    events = sa.select(Registration.event_id).where(Registration.id.in_(registration_ids))
    jobs = sa.select(BadgeJob.id).where(BadgeJob.event_id.in_(events))
    db.session.execute(sa.delete(BadgeJobPart).where(BadgeJobPart.job_id.in_(jobs)))
    db.session.execute(sa.delete(BadgeJob).where(BadgeJob.event_id.in_(events)))


def _blank(member: Member, now) -> None:
    member.full_name, member.company, member.trade, member.city = anonymise.ERASED_NAME, "", "", ""
    member.email = member.phone = member.ice = member.cnss_number = None
    member.notes, member.consent_source, member.search_text = "", "", ""
    member.tags = []
    member.unsubscribed_at = member.unsubscribed_at or now
    member.archived_at = member.archived_at or now
    member.erased_at = now
