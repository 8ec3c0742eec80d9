"""Migration 0014 widens the two CHECK constraints: a partner account and a follow-up
that needs the member's documents can be stored after `flask db upgrade` (SQLite and
PostgreSQL), and could not before it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from extensions import db
from tests.conftest import _config_dict
from tests.foundation.test_migrations import _empty_database_url


def _store_partner_role(conn, after: bool) -> None:
    extra = (", partner_departments", ", ''") if after else ("", "")
    # columns that migrations before this one added to the organisation, if any
    added = {"retention_months": "24"}
    present = {c["name"] for c in sa.inspect(conn).get_columns("organisation")}
    names = "".join(f", {c}" for c in added if c in present)
    values = "".join(f", {v}" for c, v in added.items() if c in present)
    conn.execute(
        sa.text(
            "INSERT INTO organisation (slug, name_ar, name_fr, name_en, sender_name, "
            "consent_text_ar, consent_text_fr, consent_text_en, created_at, updated_at"
            + names
            + ") VALUES ('m', '', 'M', '', '', '', '', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP"
            + values
            + ")"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO user_account (email, full_name, password_hash, role, locale, active, "
            "session_nonce, organisation_id, created_at, updated_at" + extra[0] + ") VALUES "
            "('p@x.example', '', '!', 'partner', 'ar', true, '', (SELECT id FROM organisation), "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP" + extra[1] + ")"
        )
    )


def _revision_before(revision: str) -> str:
    """The revision 0014 builds on (the chain moves as other migrations land)."""
    folder = Path(__file__).resolve().parents[2] / "migrations" / "versions"
    text = next(folder.glob(f"{revision}_*.py")).read_text()
    return re.search(r'^down_revision = "(\w+)"', text, re.M).group(1)


BEFORE = _revision_before("0014")


def test_the_new_role_is_refused_before_and_stored_after(tmp_path):
    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": _empty_database_url(tmp_path)})
    with app.app_context():
        upgrade(revision=BEFORE)
        with pytest.raises(sa.exc.IntegrityError, match="(?i)check"), db.engine.begin() as conn:
            _store_partner_role(conn, after=False)
        upgrade(revision="0014")
        with db.engine.begin() as conn:
            _store_partner_role(conn, after=True)
        downgrade(revision=BEFORE)  # the partner account goes, the old constraint holds
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM user_account")).scalar() == 0
        downgrade(revision="base")
        db.engine.dispose()
