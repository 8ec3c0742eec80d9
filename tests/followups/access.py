"""Follow-up routes in the permission matrix (see tests/access.py)."""

from tests.access import Access

LOGIN, NO = 302, 403
EVENT = {"params": lambda w: {"event_id": w.event.id}}
FOLLOWUP = {"params": lambda w: {"followup_id": w.followup.id}}


def setup(world) -> None:
    from blueprints.followups.services import record_concern
    from extensions import db

    world.followup = record_concern(
        organisation_id=world.org.id, event_id=world.event.id, text="Concern", source="door"
    )
    db.session.commit()


ROUTES = {
    "followups.board": Access(LOGIN, NO, 200, 200, 200),
    "followups.event_board": Access(LOGIN, NO, 200, 200, 404, **EVENT),
    "followups.export": Access(LOGIN, NO, 200, 200, 200, params=lambda w: {"fmt": "csv"}),
    "followups.new": [
        Access(LOGIN, 200, 200, 200, 404, **EVENT),
        Access(LOGIN, 200, 200, 200, 404, method="POST", **EVENT),
    ],
    "followups.edit": [
        Access(LOGIN, NO, 200, 200, 404, **FOLLOWUP),
        Access(LOGIN, NO, 302, 302, 404, method="POST", **FOLLOWUP),
    ],
}
