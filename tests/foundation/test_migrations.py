"""`flask db upgrade` from empty reaches the models exactly, on SQLite and on PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from blueprints.invitations.models import Invitation
from blueprints.rsvp import answers
from blueprints.rsvp.models import Registration
from core.db import include_object, utcnow
from core.tokens import find_by_token, new_token
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
                conn,
                opts={
                    "compare_type": True,
                    "compare_server_default": False,
                    "include_object": include_object,
                },
            )
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"the migrations and the models differ: {diff}"
        # and back down to empty, so that every migration can be undone
        downgrade(revision="base")
        remaining = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        db.engine.dispose()


def _insert(conn, table: sa.Table, **values) -> int:
    """A row with `values` and a plain value in every other required column."""
    row = dict(values)
    for column in table.columns:
        if column.name in row or column.nullable or column.primary_key:
            continue
        if isinstance(column.type, sa.Integer):
            row[column.name] = 1
        elif isinstance(column.type, sa.Boolean):
            row[column.name] = False
        elif isinstance(column.type, sa.DateTime | sa.Date):
            row[column.name] = utcnow().replace(tzinfo=None)
        elif isinstance(column.type, sa.JSON):
            row[column.name] = {}
        elif isinstance(column.type, sa.Enum):
            row[column.name] = column.type.enums[0]
        else:
            row[column.name] = f"{column.name}-{table.name}"[: getattr(column.type, "length", 40)]
    return conn.execute(table.insert().values(row).returning(table.c.id)).scalar_one()


def test_links_sent_before_tokens_were_sealed_keep_working(tmp_path):
    """Upgrading turns stored tokens into digests and sealed copies: old links still open."""
    app = create_app({**_config_dict(), "SQLALCHEMY_DATABASE_URI": _empty_database_url(tmp_path)})
    token, code, revoked = new_token(), new_token(), new_token()
    with app.app_context():
        upgrade(revision="0008")
        meta = sa.MetaData()
        meta.reflect(db.engine)
        t = meta.tables
        with db.engine.begin() as conn:
            org = _insert(conn, t["organisation"], slug="old")
            member = _insert(conn, t["member"], organisation_id=org, full_name="Amina", phone=None,
                             category="member")  # fmt: skip
            event = _insert(conn, t["event"], organisation_id=org, status="published")
            invitation = _insert(conn, t["invitation"], organisation_id=org, event_id=event,
                                 member_id=member, token=token)  # fmt: skip
            registration = _insert(conn, t["registration"], organisation_id=org, event_id=event,
                                   invitation_id=invitation, ticket_code=code, status="accepted",
                                   source="invitation", category="member")  # fmt: skip
            _insert(conn, t["rsvp_revoked_ticket"], organisation_id=org,
                    registration_id=registration, code=revoked)  # fmt: skip
        upgrade()
        db.session.remove()
        assert find_by_token(Invitation, token).id == invitation
        assert find_by_token(Invitation, token).token == token  # can be written again
        assert find_by_token(Registration, code, "ticket_code").ticket_code == code
        assert answers.is_revoked_code(revoked)
        with db.engine.connect() as conn:
            for table in ("invitation", "registration", "rsvp_revoked_ticket"):
                stored = " ".join(map(str, conn.execute(sa.text(f"SELECT * FROM {table}")).one()))
                assert token not in stored and code not in stored and revoked not in stored
        db.session.remove()
        downgrade(revision="0008")  # and back: the clear tokens return
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT token FROM invitation")).scalar() == token
            assert conn.execute(sa.text("SELECT ticket_code FROM registration")).scalar() == code
        downgrade(revision="base")
        db.engine.dispose()
