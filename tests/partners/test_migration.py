"""Migration 0014 widens the two CHECK constraints: a partner account and a follow-up
that needs the member's documents can be stored after `flask db upgrade` (SQLite and
PostgreSQL), and could not before it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from extensions import db
from tests.conftest import _config_dict
from tests.foundation.test_migrations import _empty_database_url


def _store_partner_role(conn, after: bool) -> None:
    extra = (", partner_departments", ", ''") if after else ("", "")
    conn.execute(
        sa.text(
            "INSERT INTO organisation (slug, name_ar, name_fr, name_en, sender_name, "
            "consent_text_ar, consent_text_fr, consent_text_en, created_at, updated_at) "
            "VALUES ('m', '', 'M', '', '', '', '', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
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


def test_the_new_role_is_refused_before_and_stored_after(tmp_path):
    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": _empty_database_url(tmp_path)})
    with app.app_context():
        upgrade(revision="0011")
        with pytest.raises(sa.exc.IntegrityError, match="(?i)check"), db.engine.begin() as conn:
            _store_partner_role(conn, after=False)
        upgrade(revision="0014")
        with db.engine.begin() as conn:
            _store_partner_role(conn, after=True)
        downgrade(revision="0011")  # the partner account goes, the old constraint holds
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM user_account")).scalar() == 0
        downgrade(revision="base")
        db.engine.dispose()
