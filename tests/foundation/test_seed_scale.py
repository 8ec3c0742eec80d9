"""bench/seed_scale.py builds its dataset on SQLite and PostgreSQL (a tiny factor here;
factor 1 is the national network of issue 16, see docs/performance.md)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import sqlalchemy as sa

from blueprints.checkin.models import CheckIn
from blueprints.events.models import Event
from blueprints.invitations.models import Invitation
from blueprints.members.models import Member
from blueprints.rsvp.models import Registration
from blueprints.surveys.models import SurveyResponse
from core.tokens import find_by_token
from extensions import db

BENCH = Path(__file__).resolve().parents[2] / "bench" / "seed_scale.py"


def _seed_module():
    spec = importlib.util.spec_from_file_location("seed_scale", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_tiny_factor_builds_every_kind_of_row(app):
    seed_scale = _seed_module()
    written = seed_scale.seed(0.001)
    assert written["organisations"] == 2 and _count(Member) == written["members"] == 200
    assert _count(Event) == written["events"] and _count(Invitation) == written["invitations"]
    assert _count(Registration) == written["registrations"] > 0
    assert _count(CheckIn) == written["checkins"] > 0
    assert _count(SurveyResponse) == written["responses"] > 0
    # the personal links work: sealed with the app's key, found by their hash
    invitation = db.session.scalar(sa.select(Invitation).limit(1))
    assert find_by_token(Invitation, invitation.token) == invitation
    # a second run adds to what is there (new ids, new slugs)
    seed_scale.seed(0.001)
    assert _count(Member) == 400
    # the app adds rows of its own afterwards: no id already taken by the seed
    org_id = db.session.scalar(sa.select(Member.organisation_id).limit(1))
    for name in ("Ajout 1", "Ajout 2"):
        db.session.add(Member(organisation_id=org_id, full_name=name, search_text=name))
        db.session.commit()
    assert _count(Member) == 402
