"""The door API, both ways in, checked against docs/openapi.json."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from blueprints.checkin import admission
from blueprints.checkin.models import CheckIn, DoorDevice
from blueprints.members.models import MemberCategory
from blueprints.rsvp.models import Registration, RegistrationStatus
from core.db import utcnow
from extensions import db
from tests.checkin.conftest import make_registration, open_event_for
from tests.checkin.openapi import assert_documented, errors
from tests.conftest import csrf_token_from, login, make_event


def checkins_url(event_id: int) -> str:
    return f"/api/v1/events/{event_id}/checkins"


@pytest.fixture
def door_client(as_door, event):
    """Signed in as door staff, with the CSRF token of the door page."""
    html = as_door.get(f"/door/events/{event.id}").get_data(as_text=True)
    as_door.csrf = csrf_token_from(html)
    return as_door


def post(client, event_id, body, token=None, csrf=True):
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    elif csrf:
        headers["X-CSRFToken"] = client.csrf
    response = client.post(checkins_url(event_id), json=body, headers=headers)
    assert_documented(response, checkins_url(event_id), "POST")
    return response


def test_door_staff_admit_then_see_already_checked_in(app, door_client, event, guest):
    url = f"{app.config['BASE_URL']}/t/{guest.ticket_code}"
    first = post(door_client, event.id, {"code": url, "door": "A", "nonce": "n1"})
    assert first.status_code == 200 and first.json["result"] == "admitted"
    assert first.json["registration"]["name"] == "Karim Benali"
    second = post(door_client, event.id, {"code": guest.ticket_code, "door": "B", "nonce": "n2"})
    assert second.json["result"] == "already_checked_in"
    assert second.json["first_check_in"]["door"] == "A"


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (RegistrationStatus.DECLINED, "declined"),
        (RegistrationStatus.WAITLISTED, "waitlisted"),
        (RegistrationStatus.CANCELLED, "revoked"),
    ],
)
def test_every_refusal_reason_is_answered(door_client, event, status, reason):
    registration = make_registration(event, status=status)
    response = post(door_client, event.id, {"code": registration.ticket_code, "door": "A"})
    assert response.json["result"] == "not_valid" and response.json["reason"] == reason


def test_unknown_wrong_event_and_not_open(app, door_client, org, event):
    assert post(door_client, event.id, {"code": "NoSuchTicket123"}).json["reason"] == "unknown"
    other = open_event_for(org, title_fr="Autre")
    theirs = make_registration(other)
    answer = post(
        door_client, event.id, {"code": f"{app.config['BASE_URL']}/t/{theirs.ticket_code}"}
    )
    assert answer.json["reason"] == "wrong_event"
    later = make_event(org, starts_in=timedelta(days=10))
    early = make_registration(later)
    assert (
        post(door_client, later.id, {"code": early.ticket_code}).json["reason"] == "event_not_open"
    )


@pytest.mark.parametrize(
    "code",
    ["x" * 10_240, "'; DROP TABLE registration; --", "<script>alert(1)</script>", "\u202e" * 50],
)
def test_hostile_codes_are_unknown(door_client, event, guest, code):
    response = post(door_client, event.id, {"code": code, "door": "<b>A</b>"})
    assert response.status_code == 200 and response.json["reason"] == "unknown"
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 1


@pytest.mark.parametrize(
    "body",
    [
        [],
        "code",
        {},
        {"code": 123},
        {"code": ["x"]},
        {"registration_id": "1"},
        {"registration_id": True},
        {"code": "abc", "scanned_at": "yesterday"},
        {"code": "abc", "scanned_at": "2026-01-01T10:00:00"},
        {"code": "abc", "nonce": "n" * 65},
        {"code": "abc", "door": "d" * 41},
        {"code": "abc", "offline": "yes"},
    ],
)
def test_malformed_bodies_are_400(door_client, event, body):
    response = door_client.post(
        checkins_url(event.id), json=body, headers={"X-CSRFToken": door_client.csrf}
    )
    assert response.status_code == 400
    assert_documented(response, checkins_url(event.id), "POST")
    assert db.session.scalar(sa.select(sa.func.count(CheckIn.id))) == 0


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 10_000 + "]" * 10_000,  # nested 10,000 deep
        '{"code": "\\ud800"}',  # a lone surrogate
        '{"code": "abc", "scanned_at": "0001-01-01T00:00:00+00:00"}',  # year 1
        '{"code": "abc", "scanned_at": "9999-12-31T23:59:59+14:00"}',
        '{"registration_id": 99999999999999999999999}',
        '{"registration_id": -1}',
        '{"code": 1e999}',
        "null",
        "\x00",
        '{"code": "a\\u0000b"}',
    ],
)
def test_hostile_json_never_gives_a_server_error(door_client, event, guest, raw):
    response = door_client.post(
        checkins_url(event.id),
        data=raw,
        content_type="application/json",
        headers={"X-CSRFToken": door_client.csrf},
    )
    assert response.status_code in (200, 400)
    assert_documented(response, checkins_url(event.id), "POST")
    if response.status_code == 200:  # read as a scan: nobody was admitted by it
        assert response.json["result"] == "not_valid"
    db.session.expire_all()
    assert db.session.get(Registration, guest.id).checked_in_at is None


def test_a_nonce_retry_over_the_api_counts_once(door_client, event, guest):
    body = {"code": guest.ticket_code, "door": "A", "nonce": "phone-1:42"}
    first = post(door_client, event.id, body)
    again = post(door_client, event.id, body)
    assert first.json == again.json and first.json["result"] == "admitted"
    assert db.session.scalar(sa.select(sa.func.count(CheckIn.id))) == 1


def test_offline_scan_keeps_its_time(door_client, event, guest):
    scanned = (utcnow() - timedelta(minutes=12)).replace(microsecond=0)
    body = {"code": guest.ticket_code, "scanned_at": scanned.isoformat(), "offline": True}
    assert post(door_client, event.id, body).json["checked_in_at"] == scanned.isoformat()


def test_session_posts_need_the_csrf_header(door_client, event, guest):
    response = door_client.post(checkins_url(event.id), json={"code": guest.ticket_code})
    assert response.status_code == 400
    response = door_client.post(
        checkins_url(event.id), json={"code": guest.ticket_code}, headers={"X-CSRFToken": "forged"}
    )
    assert response.status_code == 400
    assert db.session.get(Registration, guest.id).checked_in_at is None


def test_anonymous_calls_get_401_json(client, event, guest):
    for method, url in [
        ("POST", checkins_url(event.id)),
        ("GET", f"/api/v1/events/{event.id}/roster"),
        ("GET", f"/api/v1/events/{event.id}/counts"),
    ]:
        response = client.open(url, method=method, json={"code": guest.ticket_code})
        assert response.status_code == 401 and response.is_json
        assert_documented(response, url, method)


def test_another_organisations_door_gets_404(client, other_door, event, guest):
    login(client, other_door.email)
    html = client.get("/door").get_data(as_text=True)
    assert "Rencontre" not in html
    token = csrf_token_from(client.get("/account/password").get_data(as_text=True))
    response = client.post(
        checkins_url(event.id), json={"code": guest.ticket_code}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 404
    assert client.get(f"/api/v1/events/{event.id}/roster").status_code == 404
    assert db.session.get(Registration, guest.id).checked_in_at is None


def _issue_token(client, event_id, door="B", label="Phone B"):
    page = f"/events/{event_id}/devices"
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    html = client.post(page, data={"csrf_token": token, "door": door, "label": label}).get_data(
        as_text=True
    )
    start = html.index('id="new-token"><bdi>') + len('id="new-token"><bdi>')
    return html[start : html.index("</bdi>", start)]


def test_device_tokens_check_in_without_csrf_and_die_when_revoked(as_organiser, event, guest):
    token = _issue_token(as_organiser, event.id)
    device = db.session.scalar(sa.select(DoorDevice))
    assert device.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in as_organiser.get(f"/events/{event.id}/devices").get_data(as_text=True)

    anon = as_organiser.application.test_client()
    response = post(anon, event.id, {"code": guest.ticket_code, "door": "Z"}, token=token)
    assert response.json["result"] == "admitted"
    db.session.refresh(guest)
    assert guest.checked_in_door == "B"  # the device's own door
    log = db.session.scalar(sa.select(CheckIn))
    assert log.device_id == device.id and log.user_id is None
    roster = anon.get(
        f"/api/v1/events/{event.id}/roster", headers={"Authorization": f"Bearer {token}"}
    )
    assert roster.status_code == 200

    page = f"/events/{event.id}/devices"
    csrf = csrf_token_from(as_organiser.get(page).get_data(as_text=True))
    as_organiser.post(f"{page}/{device.id}/revoke", data={"csrf_token": csrf})
    response = post(anon, event.id, {"code": guest.ticket_code}, token=token)
    assert response.status_code == 401
    forged = post(anon, event.id, {"code": guest.ticket_code}, token="forged-token")
    assert forged.status_code == 401


def test_a_device_token_is_scoped_to_its_event(as_organiser, org, event, guest):
    other = open_event_for(org, title_fr="Autre")
    token = _issue_token(as_organiser, other.id)
    anon = as_organiser.application.test_client()
    response = post(anon, event.id, {"code": guest.ticket_code}, token=token)
    assert response.status_code == 404


def test_roster_lists_hashes_never_codes(door_client, event, guest):
    make_registration(event, "Official", category=MemberCategory.OFFICIAL)
    url = f"/api/v1/events/{event.id}/roster"
    response = door_client.get(url)
    assert_documented(response, url)
    text = response.get_data(as_text=True)
    assert guest.ticket_code not in text
    hashes = {e["ticket_sha256"] for e in response.json["entries"]}
    assert hashlib.sha256(guest.ticket_code.encode()).hexdigest() in hashes
    assert response.json["doors_open"] is True


def test_counts_and_search(door_client, event, guest):
    make_registration(event, "سعاد الإدريسي", company="مطبعة الريف", phone="+212661112233")
    admission.check_in(event, guest.ticket_code, "A")
    db.session.commit()
    url = f"/api/v1/events/{event.id}/counts"
    counts = door_client.get(url)
    assert_documented(counts, url)
    assert counts.json == {"checked_in": 1, "expected": 2, "people_in": 2, "people_expected": 3}
    url = f"/api/v1/events/{event.id}/search?q=الادريسي"
    found = door_client.get(url)
    assert_documented(found, url)
    assert [r["name"] for r in found.json["results"]] == ["سعاد الإدريسي"]
    assert door_client.get(f"/api/v1/events/{event.id}/search?q=0661112233").json["results"]


def test_search_result_admits_by_registration_id(door_client, event, guest):
    response = post(door_client, event.id, {"registration_id": guest.id, "door": "A"})
    assert response.json["result"] == "admitted"
    other = open_event_for(event.organisation, title_fr="Autre")
    elsewhere = make_registration(other)
    response = post(door_client, event.id, {"registration_id": elsewhere.id})
    assert response.json["reason"] == "wrong_event"
    assert post(door_client, event.id, {"registration_id": 10**9}).json["reason"] == "unknown"


def test_the_schema_checker_catches_a_wrong_answer():
    from tests.checkin.openapi import SPEC

    schema = SPEC["components"]["schemas"]["CheckInAnswer"]
    assert errors({"result": "maybe"}, schema)
    good = {
        "result": "admitted",
        "reason": None,
        "registration": None,
        "checked_in_at": "2026-01-01T10:00:00+00:00",
        "first_check_in": None,
    }
    assert errors(good, schema) == []
