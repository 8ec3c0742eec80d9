"""`flask db upgrade` from empty reaches the models exactly, on SQLite and on PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from extensions import db
from tests.conftest import POSTGRES, _config_dict


def _empty_database_url(tmp_path) -> str:
    if not POSTGRES:
        return f"sqlite:///{tmp_path / 'migrations.db'}"
    url = sa.engine.make_url(POSTGRES.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{url.database}_migrations"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def test_upgrade_from_empty_matches_the_models(tmp_path):
    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": _empty_database_url(tmp_path)})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": False}
            )
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"the migrations and the models differ: {diff}"
        # and back down to empty, so that every migration can be undone
        downgrade(revision="base")
        remaining = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        db.engine.dispose()
