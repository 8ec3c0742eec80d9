"""The door's hot path: how many statements a scan costs, the device-token cache, and the
SQLite write turn. These guard the benchmark figures in docs/checkin.md."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from blueprints.checkin import admission, devices
from blueprints.checkin.models import CheckIn, CheckInResult, DoorDevice
from blueprints.rsvp.models import Registration
from core.db import utcnow, write_turn
from extensions import db
from tests.checkin.conftest import make_registration
from tests.checkin.openapi import assert_documented


@pytest.fixture
def device_token(event, organiser):
    _device, token = devices.issue_device(event, "B", "Phone B", organiser)
    db.session.commit()
    return token


@contextmanager
def statements():
    """The SQL statements sent to the database meanwhile (the transaction's BEGIN/COMMIT aside)."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def _reads_device(statement: str) -> bool:
    """A look-up of a device token (the admission's UPDATE names door_device in RETURNING)."""
    return statement.startswith("SELECT") and "FROM door_device" in statement


def scan(client, event_id, code, token, nonce=None):
    url = f"/api/v1/events/{event_id}/checkins"
    response = client.post(
        url,
        json={"code": code, "door": "A", "nonce": nonce or uuid.uuid4().hex},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert_documented(response, url, "POST")
    return response


def test_an_admission_is_one_update_and_one_insert(client, event, device_token):
    first, second = make_registration(event, "Amina"), make_registration(event, "Youssef")
    code, event_id = second.ticket_code, event.id  # read before counting
    scan(client, event_id, first.ticket_code, device_token)  # the token is now cached
    with statements() as sent:
        response = scan(client, event_id, code, device_token)
    assert response.json["result"] == "admitted"
    assert response.json["registration"]["name"] == "Youssef"
    assert len(sent) == 2, sent
    assert sent[0].startswith("UPDATE registration SET checked_in_at=")
    assert "RETURNING" in sent[0] and "checked_in_at IS NULL" in sent[0]
    assert sent[1].startswith("INSERT INTO checkin")


def test_already_checked_in_costs_what_admission_costs_and_says_by_whom(
    client, event, device_token
):
    """The refusal path: the same UPDATE (which changes nothing) and the log's INSERT."""
    guest, other = make_registration(event), make_registration(event, "Youssef")
    code, other_code, event_id = guest.ticket_code, other.ticket_code, event.id
    scan(client, event_id, code, device_token)
    with statements() as admitting:
        scan(client, event_id, other_code, device_token)
    before = db.session.execute(
        sa.select(Registration.checked_in_at, Registration.updated_at).where(
            Registration.id == guest.id
        )
    ).one()
    with statements() as sent:
        response = scan(client, event_id, code, device_token)
    assert response.json["result"] == "already_checked_in"
    assert response.json["first_check_in"]["door"] == "B"
    assert response.json["first_check_in"]["by"] == "Phone B"
    assert [s.split()[0] for s in sent] == ["UPDATE", "INSERT"]
    assert len(sent) <= len(admitting) == 2
    db.session.expire_all()
    after = db.session.execute(
        sa.select(Registration.checked_in_at, Registration.updated_at).where(
            Registration.id == guest.id
        )
    ).one()
    assert after == before  # the refused scan changed nothing on the registration
    results = db.session.scalars(sa.select(CheckIn.result).order_by(CheckIn.id)).all()
    assert results == [
        CheckInResult.ADMITTED,
        CheckInResult.ADMITTED,
        CheckInResult.ALREADY_CHECKED_IN,
    ]


def test_each_refusal_names_its_own_guest_s_first_admission(client, event, organiser, device_token):
    """The first admission's door and device are read from the log for the scanned guest,
    on both databases: SQLite writes RETURNING's columns without their table, so the
    subquery's correlation to the scanned row must name it in full (it once read the
    log's own id instead, and told every guest the same, wrong, device)."""
    _phone_c, token_c = devices.issue_device(event, "C", "Phone C", organiser)
    db.session.commit()
    guests = [make_registration(event, f"Invité {i}") for i in range(6)]
    codes, event_id = [g.ticket_code for g in guests], event.id
    admitted_by = {}
    for i, code in enumerate(reversed(codes)):  # log ids unlike the registrations' ids
        token, label = (device_token, "Phone B") if i % 2 else (token_c, "Phone C")
        assert scan(client, event_id, code, token).json["result"] == "admitted"
        admitted_by[code] = label
    for code in codes:
        answer = scan(client, event_id, code, device_token).json
        assert answer["result"] == "already_checked_in"
        assert answer["first_check_in"]["by"] == admitted_by[code]


def test_a_refusal_by_status_is_two_statements_too(client, event, device_token):
    from blueprints.rsvp.models import RegistrationStatus

    guest = make_registration(event)
    guest.status = RegistrationStatus.CANCELLED
    db.session.commit()
    code, event_id = guest.ticket_code, event.id
    scan(client, event_id, make_registration(event, "Warm").ticket_code, device_token)
    with statements() as sent:
        response = scan(client, event_id, code, device_token)
    assert response.json["result"] == "not_valid"
    assert response.json["reason"] == "revoked"  # what a cancelled ticket is told
    assert [s.split()[0] for s in sent] == ["UPDATE", "INSERT"]
    assert db.session.get(Registration, guest.id).checked_in_at is None


def test_a_scan_identical_to_the_admitting_one_is_still_told_already(event, door):
    """Same door, same account, same instant: only the admitting scan's own random number
    says "admitted", so a twin scan cannot pass for the first one."""
    guest = make_registration(event)
    code, now = guest.ticket_code, utcnow()
    answers = []
    for _ in range(2):
        answers.append(admission.check_in(event, code, "A", by_user=door, now=now))
        db.session.commit()
    assert [a["result"] for a in answers] == ["admitted", "already_checked_in"]
    assert answers[1]["first_check_in"]["by"] == door.full_name
    assert db.session.scalar(sa.select(sa.func.count(CheckIn.id))) == 2


def test_a_nonce_retry_on_the_fast_path_keeps_the_first_answer(client, event, device_token):
    guest = make_registration(event)
    first = scan(client, event.id, guest.ticket_code, device_token, nonce="door-b:7")
    again = scan(client, event.id, guest.ticket_code, device_token, nonce="door-b:7")
    assert first.json == again.json and first.json["result"] == "admitted"
    assert db.session.scalar(sa.select(sa.func.count(CheckIn.id))) == 1


def test_the_device_is_marked_used_once_a_minute_not_on_every_scan(client, event, device_token):
    codes = [make_registration(event, f"Guest {i}").ticket_code for i in range(3)]
    event_id = event.id
    scan(client, event_id, codes[0], device_token)
    device = db.session.scalar(sa.select(DoorDevice))
    assert device.last_used_at is not None
    with statements() as sent:
        scan(client, event_id, codes[1], device_token)
    assert not any(s.startswith("UPDATE door_device") for s in sent)


def test_a_token_is_looked_up_once_per_ttl(client, event, device_token, monkeypatch):
    codes = [make_registration(event, f"Guest {i}").ticket_code for i in range(3)]
    event_id = event.id
    clock = [1000.0]
    monkeypatch.setattr(devices.time, "monotonic", lambda: clock[0])
    scan(client, event_id, codes[0], device_token)
    with statements() as sent:
        scan(client, event_id, codes[1], device_token)
    assert not any(_reads_device(s) for s in sent)
    clock[0] += devices.TOKEN_CACHE_SECONDS + 0.1
    with statements() as sent:
        scan(client, event_id, codes[2], device_token)
    assert any(_reads_device(s) for s in sent)


def test_a_revocation_elsewhere_is_honoured_within_the_ttl(
    client, event, device_token, monkeypatch
):
    """Another process revokes the token: this one refuses it once its cache entry expires."""
    guests = [make_registration(event, f"Guest {i}") for i in range(3)]
    clock = [5000.0]
    monkeypatch.setattr(devices.time, "monotonic", lambda: clock[0])
    assert scan(client, event.id, guests[0].ticket_code, device_token).status_code == 200
    db.session.execute(sa.update(DoorDevice).values(revoked_at=utcnow()))  # not via services
    db.session.commit()
    clock[0] += devices.TOKEN_CACHE_SECONDS - 1
    assert scan(client, event.id, guests[1].ticket_code, device_token).status_code == 200
    clock[0] += 1.1
    response = scan(client, event.id, guests[2].ticket_code, device_token)
    assert response.status_code == 401
    assert db.session.get(Registration, guests[2].id).checked_in_at is None


def test_a_revocation_in_this_process_is_immediate(client, event, device_token):
    guests = [make_registration(event, f"Guest {i}") for i in range(2)]
    assert scan(client, event.id, guests[0].ticket_code, device_token).status_code == 200
    devices.revoke_device(db.session.scalar(sa.select(DoorDevice)))
    db.session.commit()
    assert scan(client, event.id, guests[1].ticket_code, device_token).status_code == 401


def test_the_cache_can_be_switched_off(app, client, event, device_token, monkeypatch):
    monkeypatch.setitem(app.config, "DOOR_TOKEN_CACHE_SECONDS", 0)
    codes = [make_registration(event, f"Guest {i}").ticket_code for i in range(2)]
    event_id = event.id
    scan(client, event_id, codes[0], device_token)
    with statements() as sent:
        scan(client, event_id, codes[1], device_token)
    assert sent[0].startswith("SELECT") and "FROM door_device" in sent[0]


def test_the_cache_keeps_token_hashes_never_tokens(client, event, device_token):
    guest = make_registration(event)
    scan(client, event.id, guest.ticket_code, device_token)
    assert device_token not in devices._token_cache
    assert devices._token_cache  # keyed by the SHA-256 of the token


def _sqlite_file(app) -> str | None:
    url = db.engine.url
    return url.database if url.get_backend_name() == "sqlite" else None


@contextmanager
def _lock_held_elsewhere(path: str, seconds: float):
    """Another process holds the door's write turn for `seconds`; yields once it holds it."""
    with write_turn(db.engine):
        pass  # opens the lock file
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            f"fd = os.open({path + '-door.lock'!r}, os.O_RDWR)\n"
            f"fcntl.flock(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep({seconds})\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.wait(10)


def test_write_turn_waits_for_another_process(app):
    path = _sqlite_file(app)
    if not path:
        pytest.skip("the write turn exists only for a SQLite file")
    with _lock_held_elsewhere(path, 0.4):
        started = time.monotonic()
        with write_turn(db.engine):
            waited = time.monotonic() - started
    assert waited >= 0.2


def test_write_turn_lets_one_thread_in_at_a_time(app):
    if not _sqlite_file(app):
        pytest.skip("the write turn exists only for a SQLite file")
    inside, overlaps = [0], []

    def work():
        with app.app_context():
            for _ in range(20):
                with write_turn(db.engine):
                    inside[0] += 1
                    overlaps.append(inside[0])
                    time.sleep(0.001)
                    inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(overlaps) == 80 and max(overlaps) == 1


def test_an_offline_device_scan_of_a_ticket_admitted_elsewhere_is_a_conflict(
    client, event, device_token, door
):
    from blueprints.checkin.models import CheckInConflict

    guest = make_registration(event)
    code, event_id = guest.ticket_code, event.id
    admission.check_in(event, code, "A", by_user=door)
    db.session.commit()
    url = f"/api/v1/events/{event_id}/checkins"
    body = {"code": code, "offline": True, "scanned_at": utcnow().isoformat(), "nonce": "off-1"}
    headers = {"Authorization": f"Bearer {device_token}"}
    response = client.post(url, json=body, headers=headers)
    assert response.json["result"] == "already_checked_in"
    assert client.post(url, json=body, headers=headers).json == response.json  # retried
    conflicts = db.session.scalars(sa.select(CheckInConflict)).all()
    assert len(conflicts) == 1
    assert (conflicts[0].first_door, conflicts[0].second_door) == ("A", "B")


def test_an_api_scan_takes_the_write_turn(app, client, event, device_token):
    """Removing the turn from the API (measured faster than BEGIN IMMEDIATE) fails here."""
    path = _sqlite_file(app)
    if not path:
        pytest.skip("the write turn exists only for a SQLite file")
    guest = make_registration(event)
    event_id, code = event.id, guest.ticket_code
    with _lock_held_elsewhere(path, 0.5):
        started = time.monotonic()
        response = scan(client, event_id, code, device_token)
        waited = time.monotonic() - started
    assert response.status_code == 200 and response.get_json()["result"] == "admitted"
    assert waited >= 0.3
