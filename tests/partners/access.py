"""Partner accounts, their follow-ups, the member's reply and the meeting report in the
permission matrix (see tests/access.py)."""

from tests.access import Access

LOGIN, NO = 302, 403
PARTNER = {"params": lambda w: {"partner_id": w.partner.id}}
ROUTED = {"params": lambda w: {"followup_id": w.routed.id}}
EVENT = {"params": lambda w: {"event_id": w.event.id}}
BADGE_JOB = {"params": lambda w: {"event_id": w.event.id, "job_id": w.badge_job.id}}


def setup(world) -> None:
    from blueprints.followups.services import record_concern
    from blueprints.partners import services
    from blueprints.reports.models import BadgeJob, BadgeJobState
    from extensions import db

    world.routed = record_concern(
        organisation_id=world.org.id, event_id=world.event.id, text="Routed", source="door"
    )
    world.routed.partner_id = world.partner.id
    invited = services.invite(
        organisation_id=world.org.id,
        partner_id=world.partner.id,
        email="invited@partner.example",
        full_name="Invited",
        locale="fr",
    )
    world.invite_token = invited.invite
    world.badge_job = BadgeJob(
        organisation_id=world.org.id, event_id=world.event.id, state=BadgeJobState.DONE,
        pdf=b"%PDF-1.7 test", pdf_size=13,
    )  # fmt: skip
    db.session.add(world.badge_job)
    db.session.commit()


ROUTES = {
    "partners.accounts": [
        Access(LOGIN, NO, 200, 200, 404, **PARTNER),
        Access(LOGIN, NO, 200, 200, 404, method="POST", **PARTNER),
    ],
    "partners.set_active": Access(
        LOGIN,
        NO,
        400,
        400,
        404,
        method="POST",
        params=lambda w: {"partner_id": w.partner.id, "user_id": w.partner_user.id},
    ),  # fmt: skip
    # a link for one person: anyone holding it may use it, signed in or not
    "partners.welcome": [
        Access(200, 200, 200, 200, 200, params=lambda w: {"token": w.invite_token}),
        Access(200, 200, 200, 200, 200, method="POST", params=lambda w: {"token": w.invite_token}),
    ],
    "partners.inbox": Access(LOGIN, NO, NO, NO, NO, partner=200),
    "partners.followup": [
        Access(LOGIN, NO, NO, NO, NO, partner=200, **ROUTED),
        Access(LOGIN, NO, NO, NO, NO, method="POST", partner=200, **ROUTED),
    ],
    "partners.take": Access(LOGIN, NO, NO, NO, NO, method="POST", partner=302, **ROUTED),
    "reports.report": Access(LOGIN, NO, 200, 200, 404, **EVENT),
    "reports.report_pdf": Access(LOGIN, NO, 200, 200, 404, **EVENT),
    "press.edit": [
        Access(LOGIN, NO, 200, 200, 404, **EVENT),
        Access(LOGIN, NO, 400, 400, 404, method="POST", **EVENT),
    ],
    "press.regenerate": Access(LOGIN, NO, 302, 302, 404, method="POST", **EVENT),
    "press.as_pdf": Access(LOGIN, NO, 200, 200, 404, **EVENT),
    "press.as_docx": Access(LOGIN, NO, 200, 200, 404, **EVENT),
    "press.as_text": Access(LOGIN, NO, 200, 200, 404, **EVENT),
    "badges.sheet": Access(LOGIN, 200, 200, 200, 404, **EVENT),
    "badges.as_pdf": Access(LOGIN, 200, 200, 200, 404, **EVENT),
    "badges.set_format": Access(LOGIN, NO, 302, 302, 404, method="POST", **EVENT),
    "badges.start_job": Access(LOGIN, NO, 302, 302, 404, method="POST", **EVENT),
    "badges.job": Access(LOGIN, NO, 200, 200, 404, **BADGE_JOB),
    "badges.job_pdf": Access(LOGIN, NO, 200, 200, 404, **BADGE_JOB),
    "reports.notes": Access(LOGIN, NO, 302, 302, 404, method="POST", **EVENT),
}
