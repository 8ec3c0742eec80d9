"""Follow-up routes in the permission matrix (see tests/access.py)."""

from tests.access import Access

LOGIN, NO = 302, 403
EVENT = {"params": lambda w: {"event_id": w.event.id}}
FOLLOWUP = {"params": lambda w: {"followup_id": w.followup.id}}


def setup(world) -> None:
    from blueprints.followups.models import FollowUpMessage, MessageKind
    from blueprints.followups.services import record_concern
    from core.db import utcnow
    from core.tokens import new_token
    from extensions import db

    world.followup = record_concern(
        organisation_id=world.org.id, event_id=world.event.id, text="Concern", source="door"
    )
    answer = FollowUpMessage(
        organisation_id=world.org.id, kind=MessageKind.ANSWER, body="Answer", created_at=utcnow()
    )
    answer.reply_token = world.reply_token = new_token()
    world.followup.messages.append(answer)
    db.session.commit()


ROUTES = {
    "followups.board": Access(LOGIN, NO, 200, 200, 200),
    "followups.event_board": Access(LOGIN, NO, 200, 200, 404, **EVENT),
    "followups.export": Access(LOGIN, NO, 200, 200, 200, params=lambda w: {"fmt": "csv"}),
    "followups.new": [
        Access(LOGIN, 200, 200, 200, 404, **EVENT),
        Access(LOGIN, 200, 200, 200, 404, method="POST", **EVENT),
    ],
    # the member's one reply to an answer: a personal link, whoever holds it
    "followups.reply": [
        Access(200, 200, 200, 200, 200, params=lambda w: {"token": w.reply_token}),
        Access(400, 400, 400, 400, 400, method="POST", params=lambda w: {"token": w.reply_token}),
    ],
    "followups.edit": [
        Access(LOGIN, NO, 200, 200, 404, **FOLLOWUP),
        Access(LOGIN, NO, 302, 302, 404, method="POST", **FOLLOWUP),
    ],
}
