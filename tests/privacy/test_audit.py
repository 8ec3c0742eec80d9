"""The audit log: what staff do is recorded (names of fields, never values), with the
client's address; owners read, filter and export it; nobody changes or deletes it."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from core.audit import AuditEntry, AuditLogIsAppendOnly
from extensions import db
from tests.conftest import csrf_token_from, login, make_member


def _entries(**where) -> list[AuditEntry]:
    query = sa.select(AuditEntry).order_by(AuditEntry.id)
    for key, value in where.items():
        query = query.where(getattr(AuditEntry, key) == value)
    return list(db.session.scalars(query))


def test_sign_ins_and_failed_ones_are_recorded_with_the_address(client, organiser):
    client.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    login(client, organiser.email, "wrong password")
    login(client, "nobody@example.org", "whatever")
    login(client, organiser.email)
    failed = _entries(action="signin.failed")
    assert [(e.user_id, e.organisation_id) for e in failed] == [
        (None, organiser.organisation_id),
        (None, None),
    ]
    assert failed[0].object_id == organiser.id
    (ok,) = _entries(action="signin")
    assert (ok.user_id, ok.address) == (organiser.id, "203.0.113.7")


def test_the_address_is_the_forwarded_one_only_behind_trusted_proxies(app, organiser):
    from tests.conftest import build_app

    for proxies, expected in ((0, "10.0.0.1"), (1, "198.51.100.9")):
        other = build_app(app.config["SQLALCHEMY_DATABASE_URI"], TRUSTED_PROXIES=proxies)
        client = other.test_client()
        client.environ_base["REMOTE_ADDR"] = "10.0.0.1"
        client.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.9"
        with other.app_context():
            login(client, organiser.email)
            entry = db.session.scalars(
                sa.select(AuditEntry)
                .where(AuditEntry.action == "signin")
                .order_by(AuditEntry.id.desc())
            ).first()
            assert entry.address == expected


def test_a_member_edit_records_the_field_names_not_the_values(client, org, organiser):
    member = make_member(org, "Karim Benali", phone="+212661234567")
    login(client, organiser.email)
    page = client.get(f"/members/{member.id}").get_data(as_text=True)
    response = client.post(
        f"/members/{member.id}",
        data={
            "csrf_token": csrf_token_from(page),
            "full_name": "Karim Benali",
            "company": "Atlas Sarl",
            "email": "karim.new@example.ma",
            "phone": "+212661234567",
            "locale": "fr",
            "category": "member",
            "tags": "",
            "consent": "y",
        },
    )
    assert response.status_code == 302
    (entry,) = _entries(action="member.update")
    assert entry.object_id == member.id and entry.user_id == organiser.id
    assert {"company", "email"} <= set(entry.fields)
    stored = repr((entry.fields, entry.detail))
    assert "Atlas" not in stored and "karim.new" not in stored
    client.post(f"/members/{member.id}/archive", data={"csrf_token": csrf_token_from(page)})
    assert _entries(action="member.archive")[0].object_id == member.id


def test_exports_record_which_and_how_many_rows(client, org, organiser):
    for n in range(3):
        make_member(org, f"Member {n}", email=f"m{n}@example.ma")
    login(client, organiser.email)
    assert client.get("/members/export.csv").status_code == 200
    (entry,) = _entries(action="export")
    assert entry.object_type == "members"
    assert entry.detail == {"file": "members.csv", "rows": 3}


def test_the_owner_lists_filters_and_exports_the_log(client, org, owner, organiser):
    client.environ_base["REMOTE_ADDR"] = "192.0.2.44"
    login(client, organiser.email, "wrong")
    login(client, owner.email)
    page = client.get("/privacy/audit").get_data(as_text=True)
    assert "signin.failed" in page and "192.0.2.44" in page
    only_signins = client.get("/privacy/audit?action=signin.failed").get_data(as_text=True)
    assert "signin.failed" in only_signins and "<code>signin</code>" not in only_signins
    by_owner = client.get(f"/privacy/audit?user={owner.id}").get_data(as_text=True)
    assert "<code>signin.failed</code>" not in by_owner
    future = client.get("/privacy/audit?since=2999-01-01").get_data(as_text=True)
    assert "<code>signin" not in future
    hostile = client.get("/privacy/audit?since=yesterday&user=x&page=-4&action=%25")
    assert hostile.status_code == 200
    exported = client.get("/privacy/audit.csv?action=signin")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["at (UTC)", "user", "address", "action"]
    assert {row[3] for row in rows[1:]} == {"signin", "signin.failed"}


def test_an_organiser_can_neither_see_nor_change_the_log(client, owner, organiser):
    login(client, owner.email)
    before = len(_entries())
    other = client.application.test_client()
    login(other, organiser.email)
    assert other.get("/privacy/audit").status_code == 403
    assert other.get("/privacy/audit.csv").status_code == 403
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert other.open("/privacy/audit", method=method).status_code in (403, 405)
    assert len(_entries()) == before + 1  # the organiser's own sign-in, nothing else


def test_the_orm_refuses_to_update_or_delete_an_entry(app, organiser):
    from core import audit

    audit.record("test", organisation_id=organiser.organisation_id)
    db.session.commit()
    entry = _entries(action="test")[0]
    entry.action = "tampered"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id).action == "test"
