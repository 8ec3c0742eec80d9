from blueprints.invitations.models import EventNotice, Invitation, InvitationJob, NoticeKind
from core.outbox import OutboxMessage, OutboxState
from tests.access import Access
from tests.conftest import make_member

LOGIN = 302
NO = 403
EVENT = {"params": lambda w: {"event_id": w.event.id}}


def setup(world):
    from extensions import db

    member = make_member(world.org, "Youssef Idrissi", phone="+212612000111")
    invitation = Invitation(
        organisation_id=world.org.id, event_id=world.event.id, member_id=member.id
    )
    db.session.add(invitation)
    db.session.flush()
    notice = EventNotice(
        organisation_id=world.org.id,
        event_id=world.event.id,
        kind=NoticeKind.CHANGED,
        changes="time",
    )
    message = OutboxMessage(
        organisation_id=world.org.id,
        key="acc:1",
        kind="invitation",
        to_email="y@example.ma",
        payload={},
        subject_kind="invitation",
        subject_id=invitation.id,
        state=OutboxState.FAILED,
    )
    job = InvitationJob(
        organisation_id=world.org.id, event_id=world.event.id, audience={"everyone": True}, total=3
    )
    db.session.add_all([notice, message, job])
    db.session.commit()
    world.invitation, world.notice, world.message = invitation, notice, message
    world.invitation_job = job


ROUTES = {
    "invitations.index": Access(LOGIN, NO, 200, 200, 404, **EVENT),
    # The default (the invitation), and kinds built on sample rows (core.email_preview).
    "invitations.preview": [
        Access(LOGIN, NO, 200, 200, 404, params=lambda w, kind=kind: {
            "event_id": w.event.id, "language": "ar", "kind": kind})
        for kind in ("invitation", "followup_answer", "partner_digest", "password_reset")
    ],  # fmt: skip
    "invitations.preview_html": [
        Access(LOGIN, NO, 200, 200, 404, params=lambda w, kind=kind: {
            "event_id": w.event.id, "language": "fr", "kind": kind})
        for kind in ("invitation", "rsvp_ticket", "partner_invite", "my_data_link")
    ],  # fmt: skip
    "invitations.new": [
        Access(LOGIN, NO, 200, 200, 404, **EVENT),
        Access(LOGIN, NO, 200, 200, 404, method="POST", **EVENT),
    ],
    "invitations.job": Access(
        LOGIN, NO, 200, 200, 404,
        params=lambda w: {"event_id": w.event.id, "job_id": w.invitation_job.id},
    ),
    "invitations.remind": Access(LOGIN, NO, 302, 302, 404, method="POST", **EVENT),
    "invitations.schedule": Access(LOGIN, NO, 302, 302, 404, method="POST", **EVENT),
    "invitations.retry_failed": Access(LOGIN, NO, 302, 302, 404, method="POST", **EVENT),
    "invitations.retry_message": Access(
        LOGIN, NO, 302, 302, 404, method="POST",
        params=lambda w: {"event_id": w.event.id, "message_id": w.message.id},
    ),
    "invitations.cancel_queued": Access(LOGIN, NO, 302, 302, 404, method="POST", **EVENT),
    "invitations.notice": Access(
        LOGIN, NO, 302, 302, 404, method="POST",
        params=lambda w: {"event_id": w.event.id, "notice_id": w.notice.id, "action": "dismiss"},
    ),
    "invitations.whatsapp": Access(
        LOGIN, NO, 302, 302, 404, method="POST",
        params=lambda w: {"invitation_id": w.invitation.id},
    ),
    "invitations.print_sheet": Access(LOGIN, NO, 200, 200, 404, **EVENT),
    "invitations.unsubscribe": [
        Access(200, 200, 200, 200, 200, params=lambda w: {"token": w.invitation.token}),
        Access(200, 200, 200, 200, 200, method="POST",
               params=lambda w: {"token": w.invitation.token}),
    ],
}  # fmt: skip
