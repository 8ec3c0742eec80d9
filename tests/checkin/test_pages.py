"""The door page, walk-ins, undo, the ticket page's Admit button, and the organiser's views."""

from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa
from openpyxl import load_workbook

from blueprints.checkin import admission
from blueprints.checkin.models import CheckIn, CheckInResult
from blueprints.members.models import MemberCategory
from blueprints.rsvp.models import Registration, RegistrationSource, RegistrationStatus
from core.db import utcnow
from extensions import db
from tests.checkin.conftest import make_registration
from tests.conftest import csrf_token_from, login, make_event


def test_door_page_has_camera_search_walk_in_undo_and_counter(as_door, event, guest):
    response = as_door.get(f"/door/events/{event.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for marker in ('id="camera"', 'id="search"', "walk-in", "/undo", 'id="count-in"', "door.js"):
        assert marker in html
    assert "zxing-reader.iife.js" in html and "zxing_reader.wasm" in html
    assert "<script>" not in html  # CSP: no inline script
    assert 'rel="manifest"' in html


def test_door_home_lists_events_for_door_staff(as_door, event):
    html = as_door.get("/door").get_data(as_text=True)
    assert f"/door/events/{event.id}" in html
    home = as_door.get("/home").get_data(as_text=True)
    assert f"/door/events/{event.id}" in home  # the event tab, on the door staff's home page


def test_walk_in_registers_and_admits(as_door, event, door):
    page = f"/door/events/{event.id}"
    token = csrf_token_from(as_door.get(page).get_data(as_text=True))
    response = as_door.post(
        f"{page}/walk-in",
        data={
            "csrf_token": token,
            "door": "B",
            "full_name": "<script>alert(1)</script> Youssef",
            "phone": "0661234567",
            "company": "Menuiserie \u202eYoussef",
            "trade": "menuiserie",
            "consent": "y",
        },
    )
    assert response.status_code == 302
    registration = db.session.scalar(sa.select(Registration))
    assert registration.source == RegistrationSource.WALK_IN
    assert registration.status == RegistrationStatus.ACCEPTED
    assert registration.checked_in_at is not None and registration.checked_in_door == "B"
    assert registration.phone == "+212661234567"
    html = as_door.get(response.headers["Location"]).get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Youssef" in html
    assert "<script>alert(1)" not in html


def test_walk_in_without_consent_or_csrf_is_refused(as_door, event):
    page = f"/door/events/{event.id}"
    token = csrf_token_from(as_door.get(page).get_data(as_text=True))
    response = as_door.post(f"{page}/walk-in", data={"csrf_token": token, "full_name": "Sans"})
    assert response.status_code == 400
    response = as_door.post(f"{page}/walk-in", data={"full_name": "Sans", "consent": "y"})
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0


def test_undo_my_last_admission(as_door, event, guest, door):
    admission.check_in(event, guest.ticket_code, "A", by_user=door)
    db.session.commit()
    page = f"/door/events/{event.id}"
    token = csrf_token_from(as_door.get(page).get_data(as_text=True))
    assert as_door.post(f"{page}/undo", data={"csrf_token": token}).status_code == 302
    db.session.refresh(guest)
    assert guest.checked_in_at is None
    last = db.session.scalar(sa.select(CheckIn).order_by(CheckIn.id.desc()))
    assert last.result == CheckInResult.UNDONE and last.user_id == door.id
    assert as_door.post(f"{page}/undo").status_code == 400  # no CSRF token


def test_ticket_page_shows_admit_to_door_staff_only(client, door, event, guest):
    ticket = f"/t/{guest.ticket_code}"
    assert client.get(ticket).status_code == 200
    assert "/door/admit/" not in client.get(ticket).get_data(as_text=True)
    login(client, door.email)
    html = client.get(ticket).get_data(as_text=True)
    assert f"/door/admit/{guest.ticket_code}" in html
    token = csrf_token_from(html)
    response = client.post(f"/door/admit/{guest.ticket_code}", data={"csrf_token": token})
    assert response.status_code == 200
    db.session.refresh(guest)
    assert guest.checked_in_at is not None


def test_admit_page_admits_then_says_already(as_door, event, guest):
    url = f"/door/admit/{guest.ticket_code}"
    token = csrf_token_from(as_door.get(url).get_data(as_text=True))
    first = as_door.post(url, data={"csrf_token": token, "door": "C"}).get_data(as_text=True)
    assert "verdict-admitted" in first
    second = as_door.post(url, data={"csrf_token": token, "door": "D"}).get_data(as_text=True)
    assert "verdict-already_checked_in" in second
    db.session.refresh(guest)
    assert guest.checked_in_door == "C"
    assert as_door.post(url, data={"door": "D"}).status_code == 400


def test_admit_page_of_another_organisation_is_404(client, other_door, guest):
    login(client, other_door.email)
    assert client.get(f"/door/admit/{guest.ticket_code}").status_code == 404
    assert client.get("/door/admit/%3Cscript%3E").status_code == 404


def test_arrivals_view_counts_charts_and_lists(as_organiser, org, door, event, guest):
    official = make_registration(event, "Official One", category=MemberCategory.OFFICIAL)
    make_registration(event, "Absent Person")
    admission.check_in(event, guest.ticket_code, "A", by_user=door)
    admission.check_in(event, official.ticket_code, "B", by_user=door)
    admission.check_in(event, "bogus-code-123", "A", by_user=door)
    admission.check_in(event, guest.ticket_code, "C", by_user=door, offline=True)
    db.session.commit()
    html = as_organiser.get(f"/events/{event.id}/arrivals").get_data(as_text=True)
    assert "2 / 3" in html
    assert "<svg" in html and "<rect" in html
    assert "Absent Person" in html
    assert "Billet inconnu" in html  # a refused scan with its reason (the organiser reads French)
    assert "entrée A" in html and "entrée C" in html  # the conflict


def test_export_of_the_log_is_formula_safe(as_organiser, door, event):
    make_registration(event, '=HYPERLINK("http://evil")', company="+cmd")
    reg = db.session.scalar(sa.select(Registration))
    admission.check_in(event, reg.ticket_code, "A", by_user=door)
    admission.check_in(event, "=1+1", "A", by_user=door)
    db.session.commit()
    csv_text = as_organiser.get(f"/events/{event.id}/arrivals/export?format=csv").get_data(
        as_text=True
    )
    assert csv_text.startswith("\ufeffserver_time_utc")
    assert "'=HYPERLINK" in csv_text and "'+cmd" in csv_text and "'=1+1" in csv_text
    xlsx = as_organiser.get(f"/events/{event.id}/arrivals/export?format=xlsx").get_data()
    sheet = load_workbook(io.BytesIO(xlsx)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "server_time_utc" and len(rows) == 3
    assert rows[1][4] == "admitted" and rows[2][5] == "unknown"


def test_no_show_list_after_the_event(as_organiser, org):
    past = make_event(org, starts_in=timedelta(hours=-6), hours=2)
    make_registration(past, "Never Came")
    html = as_organiser.get(f"/events/{past.id}/arrivals").get_data(as_text=True)
    assert "Absents" in html and "Never Came" in html
    assert 'http-equiv="refresh"' not in html
    assert past.ends_at < utcnow()


def test_door_staff_cannot_open_arrivals_or_devices(as_door, event):
    assert as_door.get(f"/events/{event.id}/arrivals").status_code == 403
    assert as_door.get(f"/events/{event.id}/devices").status_code == 403


def test_service_worker_and_manifest(client):
    sw = client.get("/door/sw.js")
    assert sw.status_code == 200 and "javascript" in sw.mimetype
    body = sw.get_data(as_text=True)
    assert "zxing_reader.wasm" in body and "/api/" in body
    manifest = client.get("/door/manifest.webmanifest")
    assert manifest.json["scope"] == "/door/" and manifest.json["display"] == "standalone"
