"""The door's JSON API: check-ins, roster, counts and search (docs/api.md, docs/openapi.yaml).

Two ways in: the door page's session (POSTs carry an X-CSRFToken header) or
`Authorization: Bearer <device token>` for a device of one door of one event,
which is exempt from CSRF because no browser sends it by itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from blueprints.auth.models import User
from blueprints.checkin import admission, devices, lookup, rules
from blueprints.checkin.models import DoorDevice
from blueprints.events.models import Event
from core import audit
from core.db import utcnow, write_turn
from core.roles import Role
from core.text import is_text
from extensions import csrf, db

api = Blueprint("api", __name__, url_prefix="/api/v1")


@dataclass
class DoorCaller:
    event: Event | devices.DoorEvent
    user: User | None
    device: DoorDevice | devices.DeviceInfo | None


class BadRequest(Exception):
    pass


def _caller(event_id: int, write: bool) -> DoorCaller:
    """Load the event and authorise the caller: a device token or a door account."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        access = devices.door_access_for_token(
            header[7:].strip(),
            ttl=current_app.config.get("DOOR_TOKEN_CACHE_SECONDS", devices.TOKEN_CACHE_SECONDS),
        )
        if access is None:
            abort(401)
        if access.device.event_id != event_id:
            abort(404)
        return DoorCaller(access.event, None, access.device)
    if not current_user.is_authenticated:
        abort(401)
    if not current_user.has_role(Role.DOOR):
        abort(403)
    if write and current_app.config.get("WTF_CSRF_ENABLED", True):
        try:
            validate_csrf(request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token"))
        except ValidationError:
            abort(400)
    event = db.session.scalar(
        sa.select(Event).where(
            Event.id == event_id, Event.organisation_id == current_user.organisation_id
        )
    )
    if event is None:
        abort(404)
    return DoorCaller(event, current_user._get_current_object(), None)


def _bad(detail: str):
    return jsonify(error="Bad request", detail=detail, status=400), 400


def _parse_time(value) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise BadRequest("scanned_at must be an ISO 8601 time")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise BadRequest("scanned_at must be an ISO 8601 time") from error
    if parsed.tzinfo is None:
        raise BadRequest("scanned_at needs a time zone (Z or +01:00)")
    return parsed


def _optional_str(body: dict, key: str, limit: int) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{key} must be a string")
    if len(value) > limit:
        raise BadRequest(f"{key} is too long")
    return value


@api.post("/events/<int:event_id>/checkins")
@csrf.exempt
def checkins(event_id: int):
    caller = _caller(event_id, write=True)
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than any scan: not a scan
        body = None
    if not isinstance(body, dict):
        return _bad("send a JSON object")
    if not is_text(json.dumps(body, ensure_ascii=False)):
        return _bad("the body holds text that is not Unicode (a lone surrogate)")
    try:
        code, registration_id, door, kwargs = _read_scan(body)
    except BadRequest as error:
        return _bad(str(error))
    if caller.device is not None:
        door = caller.device.door  # a device stands at the door it was issued for
    kwargs.update(by_user=caller.user, device=caller.device)
    with write_turn(db.engine):
        if caller.device is None:
            answer = _check_in(caller, code, registration_id, door, kwargs)
            if registration_id is not None and answer.get("result") == "admitted":
                detail = {"event_id": caller.event.id}  # found by search, not scanned
                audit.record("checkin.manual", "registration", registration_id, detail=detail)
            db.session.commit()
        else:
            # A device needs no ORM object: one bare connection, one short transaction.
            with db.engine.connect() as conn:
                answer = _check_in(caller, code, registration_id, door, {**kwargs, "conn": conn})
                conn.commit()
    return jsonify(answer)


def _read_scan(body: dict) -> tuple[str | None, int | None, str | None, dict]:
    """(code, registration_id, door, the other check-in arguments) from a request body."""
    code = body.get("code")
    if code is not None and not isinstance(code, str):
        raise BadRequest("code must be a string")
    registration_id = body.get("registration_id")
    if registration_id is not None and (
        isinstance(registration_id, bool) or not isinstance(registration_id, int)
    ):
        raise BadRequest("registration_id must be an integer")
    if code is None and registration_id is None:
        raise BadRequest("send code (or registration_id)")
    offline = body.get("offline", False)
    if not isinstance(offline, bool):
        raise BadRequest("offline must be true or false")
    client_id = _optional_str(body, "client_id", rules.MAX_NONCE)
    if client_id is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", client_id):
        raise BadRequest("client_id: letters, digits, - and _ only")
    kwargs = {
        "client_id": client_id,
        "nonce": _optional_str(body, "nonce", rules.MAX_NONCE),
        "scanned_at": _parse_time(body.get("scanned_at")),
        "offline": offline,
    }
    return code, registration_id, _optional_str(body, "door", rules.MAX_DOOR), kwargs


def _check_in(caller: DoorCaller, code, registration_id, door, kwargs) -> dict:
    if code is not None:
        return admission.check_in(caller.event, code, door, **kwargs)
    return admission.check_in_registration(caller.event, registration_id, door, **kwargs)


def _doors_open_for(caller: DoorCaller) -> None:
    """Door staff and devices read who is coming only while the doors are open (the door
    page's window); organisers and owners always."""
    organiser = caller.user is not None and caller.user.has_role(Role.ORGANISER)
    if not organiser and not rules.doors_open(caller.event, utcnow()):
        abort(403)


@api.get("/events/<int:event_id>/roster")
def roster(event_id: int):
    caller = _caller(event_id, write=False)
    _doors_open_for(caller)
    entries = lookup.roster(caller.event)
    db.session.commit()
    response = jsonify(
        event_id=caller.event.id,
        generated_at=utcnow().isoformat(),
        hash="sha256",
        doors_open=rules.doors_open(caller.event, utcnow()),
        entries=entries,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@api.get("/events/<int:event_id>/counts")
def counts(event_id: int):
    caller = _caller(event_id, write=False)
    response = jsonify(lookup.counts(caller.event))
    response.headers["Cache-Control"] = "no-store"
    return response


@api.get("/events/<int:event_id>/search")
def search(event_id: int):
    caller = _caller(event_id, write=False)
    _doors_open_for(caller)
    query = request.args.get("q", "")
    if len(query) > lookup.MAX_QUERY:  # the contract's maxLength, in characters
        return _bad(f"q is longer than {lookup.MAX_QUERY} characters")
    response = jsonify(results=lookup.search(caller.event, query))
    response.headers["Cache-Control"] = "no-store"
    return response
