"""Member search reads the trigram index on PostgreSQL (migration 0013), and finds the
same members as before on both databases: accents and Arabic variants folded."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from blueprints.members.models import SEARCH_INDEX, Member
from blueprints.members.services import MemberData, MemberFilter, create_member, filtered
from extensions import db
from tests.conftest import is_postgres, make_org


def _names(org, query):
    return [m.full_name for m in db.session.scalars(filtered(org.id, MemberFilter(query=query)))]


def test_search_folds_accents_and_arabic_variants(app):
    org = make_org()
    for name in ("Élodie Chraïbi", "أحمد الإدريسي", "Karim Benali"):
        create_member(org.id, MemberData(full_name=name))
    db.session.commit()
    assert _names(org, "chraibi") == ["Élodie Chraïbi"]
    assert _names(org, "ELODIE") == ["Élodie Chraïbi"]
    assert _names(org, "احمد الادريسي") == ["أحمد الإدريسي"]
    assert _names(org, "zzz") == []


@pytest.mark.skipif(not is_postgres(), reason="the trigram index exists on PostgreSQL only")
def test_postgres_search_uses_the_trigram_index(app):
    org = make_org()
    db.session.execute(
        sa.insert(Member),
        [
            {
                "organisation_id": org.id,
                "full_name": f"Membre {i}",
                "search_text": f"membre {i} entreprise {i % 500} m{i}@example.ma 06{i:08d}",
            }
            for i in range(10_000)
        ],
    )
    create_member(org.id, MemberData(full_name="Karim Benali"))
    db.session.commit()
    names = db.session.scalars(
        sa.text("SELECT indexname FROM pg_indexes WHERE tablename = 'member'")
    ).all()
    assert SEARCH_INDEX in names
    db.session.execute(sa.text("ANALYZE member"))
    # a table this small may still be read whole (cheaper than the index's fresh pending
    # list): forbid that, so the plan shows which index the search takes
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    compiled = filtered(org.id, MemberFilter(query="benali")).limit(50).compile(db.engine)
    plan = db.session.connection().exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
    plan = "\n".join(row[0] for row in plan)
    db.session.rollback()
    assert SEARCH_INDEX in plan, plan
    assert _names(org, "BENALI") == ["Karim Benali"]
