"""`flask demo` builds the demo meeting once; a second run changes nothing."""

from __future__ import annotations

import sqlalchemy as sa

from blueprints.auth.models import Role, User
from blueprints.demo import data
from blueprints.events.models import Event, EventStatus, ProgrammeItem
from blueprints.members.models import Member
from blueprints.orgs.models import Organisation, Partner
from core import i18n
from extensions import db
from tests.conftest import login


def _counts():
    return {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Organisation, Partner, User, Member, Event, ProgrammeItem)
    }


def test_demo_is_idempotent_and_matches_the_meeting(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "organiser@demo.liqaa.example" in first.output
    counts = _counts()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert _counts() == counts
    assert counts["Member"] == len(data.MEMBERS) + len(data.OFFICIALS)
    assert counts["ProgrammeItem"] == 6

    event = db.session.scalar(sa.select(Event))
    assert event.status == EventStatus.PUBLISHED and event.capacity == 120
    local_start, local_end = i18n.to_local(event.starts_at), i18n.to_local(event.ends_at)
    assert (local_start.hour, local_start.minute) == (15, 30)
    assert (local_end.hour, local_end.minute) == (19, 30)
    assert local_start.weekday() == 3  # a Thursday, as in the article
    assert "CNSS" in event.cohosts[0].name_fr
    phones = db.session.scalars(sa.select(Member.phone).where(Member.phone.is_not(None)))
    assert all(p.startswith("+2126") or p.startswith("+2127") for p in phones)
    roles = set(db.session.scalars(sa.select(User.role)))
    assert roles == {Role.OWNER, Role.ORGANISER, Role.DOOR}


def test_demo_organiser_sees_the_meeting_in_arabic_and_french(app, client):
    app.test_cli_runner().invoke(args=["demo"])
    event = db.session.scalar(sa.select(Event))
    assert login(client, "organiser@demo.liqaa.example", data.DEMO_PASSWORD).status_code == 302
    arabic = client.get(f"/events/{event.id}?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in arabic and data.PROGRAMME[0]["title_ar"] in arabic
    french = client.get(f"/events/{event.id}?lang=fr").get_data(as_text=True)
    assert '<html lang="fr" dir="ltr">' in french
    assert data.PROGRAMME[3]["title_fr"].replace("'", "&#39;") in french


def test_orgs_create_command(app):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["orgs", "create", "nador-tpe", "--name-fr", "TPE Nador"])
    assert ok.exit_code == 0, ok.output
    assert db.session.scalar(sa.select(Organisation.name_fr)) == "TPE Nador"
    bad = runner.invoke(args=["orgs", "create", "Bad Slug!", "--name-fr", "X"])
    assert bad.exit_code != 0
    taken = runner.invoke(args=["orgs", "create", "nador-tpe", "--name-fr", "Y"])
    assert taken.exit_code != 0
