"""anonymous survey responses hold nothing derived from the link (issue 17): the
respondent key goes, one answer per link is kept on the invite, and on SQLite the table
has no rowid (which kept the order in which answers came)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 12:00:00

The table is made again (the rows are kept, in the order of their random ids, with
their answers; the invites' `responded` flags are untouched).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

KEPT = ("id", "survey_id", "answered_on", "answers", "registration_id", "companion_id",
        "organisation_id")  # fmt: skip


def _create(with_key: bool) -> sa.Table:
    columns = [
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
    ]
    if with_key:
        columns.append(sa.Column("respondent_key", sa.String(length=64), nullable=False))
    columns += [
        sa.Column("answered_on", sa.Date(), nullable=False, comment="the day only, never the time"),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("companion_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["companion_id"],
            ["companion.id"],
            name=op.f("fk_survey_response_companion_id_companion"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_survey_response_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_survey_response_registration_id_registration"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["survey.id"],
            name=op.f("fk_survey_response_survey_id_survey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_response")),
    ]
    if with_key:
        columns.append(
            sa.UniqueConstraint(
                "survey_id",
                "respondent_key",
                name=op.f("uq_survey_response_survey_id_respondent_key"),
            )
        )
    table = op.create_table("survey_response", *columns, sqlite_with_rowid=with_key)
    for column in ("organisation_id", "registration_id", "survey_id"):
        op.create_index(
            op.f(f"ix_survey_response_{column}"), "survey_response", [column], unique=False
        )
    return table


def _rows() -> list[dict]:
    types = {"answers": sa.JSON(), "answered_on": sa.Date()}
    old = sa.table("survey_response", *(sa.column(name, types.get(name)) for name in KEPT))
    rows = op.get_bind().execute(sa.select(old).order_by(old.c.id)).mappings().all()
    return [dict(row) for row in rows]


def upgrade():
    rows = _rows()
    op.drop_table("survey_response")
    table = _create(with_key=False)
    if rows:
        op.bulk_insert(table, rows)


def downgrade():
    rows = _rows()
    op.drop_table("survey_response")
    table = _create(with_key=True)
    if rows:  # each old response gets a key of its own (its link is not known any more)
        op.bulk_insert(table, [{**row, "respondent_key": f"migrated-{row['id']}"} for row in rows])
