"""The check-in routes in the permission matrix (tests/test_route_permissions.py)."""

from blueprints.checkin.models import CheckIn, CheckInConflict, CheckInResult, DoorDevice
from blueprints.rsvp.models import Registration, RegistrationStatus
from core.tokens import new_token, sha256_hex
from extensions import db
from tests.access import Access

EVENT = {"params": lambda w: {"event_id": w.event.id}}
LOGIN = 302
NO = 403


def setup(world) -> None:
    registration = Registration(
        organisation_id=world.org.id,
        event_id=world.event.id,
        status=RegistrationStatus.ACCEPTED,
        full_name="Matrix Guest",
        ticket_code=new_token(),
    )
    db.session.add(registration)
    db.session.flush()
    device = DoorDevice(
        organisation_id=world.org.id,
        event_id=world.event.id,
        door="A",
        token_hash=sha256_hex(new_token()),
    )
    log = CheckIn(
        organisation_id=world.org.id,
        event_id=world.event.id,
        registration_id=registration.id,
        result=CheckInResult.ADMITTED,
        answer={},
    )
    db.session.add_all([device, log])
    db.session.flush()
    conflict = CheckInConflict(
        organisation_id=world.org.id,
        event_id=world.event.id,
        registration_id=registration.id,
        checkin_id=log.id,
    )
    db.session.add(conflict)
    db.session.commit()
    world.ticket_code = registration.ticket_code
    world.device = device
    world.conflict = conflict


TICKET = {"params": lambda w: {"code": w.ticket_code}}
API = {"json": {"code": "not-a-ticket"}}

ROUTES = {
    "checkin.door_home": Access(LOGIN, 200, 200, 200, 200),
    "checkin.door_page": Access(LOGIN, 200, 200, 200, 404, **EVENT),
    "checkin.walk_in": Access(LOGIN, 400, 400, 400, 404, method="POST", **EVENT),
    "checkin.undo": Access(LOGIN, 302, 302, 302, 404, method="POST", partner=NO, **EVENT),
    "checkin.admit_ticket": [
        Access(LOGIN, 200, 200, 200, 404, **TICKET),
        Access(LOGIN, 200, 200, 200, 404, method="POST", **TICKET),
    ],
    "checkin.service_worker": Access(200, 200, 200, 200, 200),
    "checkin.manifest": Access(200, 200, 200, 200, 200),
    "checkin.arrivals": Access(LOGIN, NO, 200, 200, 404, **EVENT),
    "checkin.arrivals_figures": Access(LOGIN, NO, 200, 200, 404, **EVENT),
    "checkin.export": Access(LOGIN, NO, 200, 200, 404, **EVENT),
    "checkin.resolve_conflict": Access(
        LOGIN,
        NO,
        302,
        302,
        404,
        method="POST",
        params=lambda w: {"event_id": w.event.id, "conflict_id": w.conflict.id},
    ),
    "checkin.devices": [
        Access(LOGIN, NO, 200, 200, 404, **EVENT),
        Access(LOGIN, NO, 200, 200, 404, method="POST", **EVENT),
    ],
    "checkin.revoke_device": Access(
        LOGIN,
        NO,
        302,
        302,
        404,
        method="POST",
        params=lambda w: {"event_id": w.event.id, "device_id": w.device.id},
    ),
    "checkin.api.checkins": Access(401, 200, 200, 200, 404, method="POST", **EVENT, **API),
    # door staff read who is coming only while the doors are open (not yet, in this world)
    "checkin.api.roster": Access(401, 403, 200, 200, 404, **EVENT),
    "checkin.api.counts": Access(401, 200, 200, 200, 404, **EVENT),
    "checkin.api.search": Access(401, 403, 200, 200, 404, **EVENT),
}
