"""Bulk writing of an import: every new member gets its own tags and search key, also
when other members already exist and across chunks; folding ASCII takes a short path."""

from __future__ import annotations

import random
import string

import sqlalchemy as sa

from blueprints.members import importer, imports, services
from blueprints.members.models import Member, MemberTag
from core import text
from extensions import db
from tests.conftest import make_org


def _csv(rows: list[str]) -> bytes:
    return ("Nom;Téléphone;Email;Tags;Ville\n" + "\n".join(rows) + "\n").encode()


def test_tags_land_on_the_right_members_across_chunks(app, org, monkeypatch):
    other = make_org("autre")
    services.create_member(other.id, services.MemberData(full_name="Ailleurs", tags=["x"]))
    services.create_member(org.id, services.MemberData(full_name="Déjà Là", tags=["old"]))
    db.session.commit()
    monkeypatch.setattr(imports, "IMPORT_CHUNK", 7)  # several chunks
    rows = [f"Membre {n};06{n % 2 + 6}0{n:06d};m{n}@ex.ma;t{n % 3}, tout;Nador" for n in range(30)]
    table = importer.read_table(_csv(rows), "list.csv")
    summary = imports.apply_rows(
        org.id, table, importer.guess_mapping(table.header), update_existing=False,
        consent_source="test",
    )  # fmt: skip
    db.session.commit()
    assert summary["created"] == 30
    members = db.session.scalars(
        sa.select(Member).where(Member.organisation_id == org.id, Member.full_name != "Déjà Là")
    ).all()
    assert len(members) == 30
    for member in members:
        n = int(member.full_name.split()[1])
        assert member.email == f"m{n}@ex.ma"
        assert sorted(member.tag_names) == sorted([f"t{n % 3}", "tout"])
        assert member.phone == f"+2126{n % 2 + 6}0{n:06d}"
        assert f"membre {n}" in member.search_text and "0" + member.phone[4:] in member.search_text
    assert len(set(m.id for m in members)) == 30
    tags = db.session.execute(sa.select(MemberTag.member_id, MemberTag.tag)).all()
    assert len(tags) == 30 * 2 + 2  # nothing stray on the older members
    old = db.session.scalar(sa.select(Member).where(Member.full_name == "Déjà Là"))
    assert old.tag_names == ["old"]


def test_ascii_short_path_folds_like_the_full_one():
    rng = random.Random(3)
    for _ in range(5000):
        sample = "".join(rng.choice(string.printable) for _ in range(rng.randrange(40)))
        assert text.fold(sample) == (text._fold(sample) if sample else "")
    assert text.fold("  BÉNALI\u202e  Karim ") == "benali karim"
    assert text.fold("أحمد") == text.fold("احمد")
