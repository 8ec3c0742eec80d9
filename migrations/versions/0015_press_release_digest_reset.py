"""the press release of an event (one text per language, edited by the organisers), the
age of the follow-ups each partner's weekly digest lists, and the one-time "forgotten
password" link of an account (issue 15)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 18:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "press_release",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False, comment="ar or fr"),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "edited",
            sa.Boolean(),
            nullable=False,
            comment="an organiser changed the generated text since it was built",
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False, comment="UTC"),
        sa.Column("updated_at", sa.DateTime(), nullable=False, comment="UTC"),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "language IN ('ar', 'fr')", name=op.f("ck_press_release_language")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"],
            name=op.f("fk_press_release_event_id_event"), ondelete="CASCADE",
        ),  # fmt: skip
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"],
            name=op.f("fk_press_release_organisation_id_organisation"), ondelete="CASCADE",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("id", name=op.f("pk_press_release")),
        sa.UniqueConstraint(
            "event_id", "language", name=op.f("uq_press_release_event_id_language")
        ),
    )
    with op.batch_alter_table("press_release", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_press_release_event_id"), ["event_id"])
        batch_op.create_index(batch_op.f("ix_press_release_organisation_id"), ["organisation_id"])

    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "digest_days",
                sa.Integer(),
                server_default="7",
                nullable=False,
                comment="the weekly digest lists the open follow-ups older than this many days",
            )
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_partner_digest_days"), "digest_days BETWEEN 1 AND 90"
        )

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reset_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("reset_sealed", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("reset_expires_at", sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_user_account_reset_hash"), ["reset_hash"])


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_user_account_reset_hash"), type_="unique")
        batch_op.drop_column("reset_expires_at")
        batch_op.drop_column("reset_sealed")
        batch_op.drop_column("reset_hash")
    with op.batch_alter_table("partner", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_partner_digest_days"), type_="check")
        batch_op.drop_column("digest_days")
    op.drop_table("press_release")
