"""name badges (issue 15): `event.badge_format`, eight per A4 sheet or one per A6 page,
chosen per event; `badge_printed_at` on registrations and companions, for "only those
not printed yet"; `badge_job` and its parts, a large badge sheet made by the outbox
workers in parts while the organiser watches its progress

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 08:45:32

"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "badge_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("choice", sa.JSON(), nullable=False, comment="who is on the sheet"),
        sa.Column("people", sa.JSON(), nullable=False, comment="r<id> / c<id>, in order"),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("badge_format", sa.String(length=10), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                name="badge_job_state",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("total", sa.Integer(), nullable=False, comment="badges on the sheet"),
        sa.Column("done", sa.Integer(), nullable=False, comment="badges rendered into parts"),
        sa.Column(
            "errors", sa.Integer(), nullable=False, comment="steps that failed (tried again)"
        ),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column(
            "pdf", sa.LargeBinary(), nullable=True, comment="the joined PDF; emptied a day after"
        ),
        sa.Column("pdf_size", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False, comment="UTC"),
        sa.Column("updated_at", sa.DateTime(), nullable=False, comment="UTC"),
        sa.CheckConstraint(
            "done >= 0 AND done <= total", name=op.f("ck_badge_job_done_within_total")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_badge_job_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_badge_job_event_id_event"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_badge_job_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_badge_job")),
    )
    with op.batch_alter_table("badge_job", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_badge_job_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_badge_job_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_badge_job_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_badge_job_state"), ["state"], unique=False)

    op.create_table(
        "badge_job_part",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False, comment="0, 1, … in print order"),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["badge_job.id"],
            name=op.f("fk_badge_job_part_job_id_badge_job"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_badge_job_part")),
        sa.UniqueConstraint("job_id", "number", name=op.f("uq_badge_job_part_job_id_number")),
    )
    with op.batch_alter_table("companion", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "badge_printed_at",
                sa.DateTime(),
                nullable=True,
                comment="when a PDF with this companion's name badge was last made",
            )
        )

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "badge_format",
                sa.String(length=10),
                server_default="a4-8",
                nullable=False,
                comment="printed name badges: a4-8 (8 on an A4 sheet) or a6 (one per A6 page)",
            )
        )

    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "badge_printed_at",
                sa.DateTime(),
                nullable=True,
                comment="when a PDF with this person's name badge was last made",
            )
        )


def downgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_column("badge_printed_at")

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("badge_format")

    with op.batch_alter_table("companion", schema=None) as batch_op:
        batch_op.drop_column("badge_printed_at")

    op.drop_table("badge_job_part")
    with op.batch_alter_table("badge_job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_badge_job_state"))
        batch_op.drop_index(batch_op.f("ix_badge_job_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_badge_job_event_id"))
        batch_op.drop_index(batch_op.f("ix_badge_job_created_by_id"))

    op.drop_table("badge_job")
