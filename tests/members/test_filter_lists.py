"""The members filter's tag and trade lists: read once per organisation for a while, and
forgotten as soon as a member or a tag is written."""

from __future__ import annotations

import sqlalchemy as sa

from blueprints.members import filters
from blueprints.members.models import MemberTag
from core import kept
from extensions import db
from tests.checkin.test_hot_path import statements
from tests.conftest import make_member


def test_the_lists_are_read_once_then_kept(app, as_organiser, org, monkeypatch):
    monkeypatch.setitem(app.config, "MEMBER_FILTER_CACHE_SECONDS", 60)
    filters.forget()
    member = make_member(org, "Amina", trade="BTP")
    db.session.add(MemberTag(member_id=member.id, tag="bureau"))
    db.session.commit()
    as_organiser.get("/members")  # reads and keeps them
    with statements() as sent:
        html = as_organiser.get("/members").get_data(as_text=True)
    assert "bureau" in html and "BTP" in html
    assert not any("DISTINCT" in s for s in sent)  # neither list read again


def test_a_new_tag_or_trade_shows_at_once(app, as_organiser, org, monkeypatch):
    monkeypatch.setitem(app.config, "MEMBER_FILTER_CACHE_SECONDS", 60)
    filters.forget()
    make_member(org, "Amina", trade="BTP")
    assert "Textile" not in as_organiser.get("/members").get_data(as_text=True)
    member = make_member(org, "Youssef", trade="Textile")
    db.session.add(MemberTag(member_id=member.id, tag="conseil"))
    db.session.commit()
    html = as_organiser.get("/members").get_data(as_text=True)
    assert "Textile" in html and "conseil" in html


def test_kept_lists_expire(app, org, monkeypatch):
    monkeypatch.setitem(app.config, "MEMBER_FILTER_CACHE_SECONDS", 60)
    filters.forget()
    clock = [100.0]
    monkeypatch.setattr(kept.time, "monotonic", lambda: clock[0])
    make_member(org, "Amina", trade="BTP")
    assert filters.filter_lists(org.id)[1] == ["BTP"]
    # Written behind the ORM's back (another process, say): seen once the copy expires.
    db.session.execute(sa.text("UPDATE member SET trade = 'Textile'"))
    db.session.commit()
    assert filters.filter_lists(org.id)[1] == ["BTP"]
    clock[0] += 61
    assert filters.filter_lists(org.id)[1] == ["Textile"]
