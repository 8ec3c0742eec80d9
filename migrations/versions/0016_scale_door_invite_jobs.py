"""the door's refusal path as cheap as admission: `registration.checked_in_attempt`, the
random number drawn by the scan that admitted, so one UPDATE … RETURNING tells a scan
whether it admitted or what it met; `invitation_job`, a large invitation made by the
outbox workers in batches while the organiser watches its progress (issue 16)

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-02 18:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "invitation_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("audience", sa.JSON(), nullable=False, comment="who to invite"),
        sa.Column(
            "state",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                name="invitation_job_state",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "total", sa.Integer(), nullable=False, comment="members matching when it was made"
        ),
        sa.Column("done", sa.Integer(), nullable=False, comment="members looked at"),
        sa.Column("invited", sa.Integer(), nullable=False),
        sa.Column("emailed", sa.Integer(), nullable=False),
        sa.Column(
            "errors", sa.Integer(), nullable=False, comment="batches that failed (tried again)"
        ),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column(
            "last_member_id", sa.Integer(), nullable=False, comment="the next batch starts after"
        ),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False, comment="UTC"),
        sa.Column("updated_at", sa.DateTime(), nullable=False, comment="UTC"),
        sa.CheckConstraint(
            "done >= 0 AND done <= total", name=op.f("ck_invitation_job_done_within_total")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_invitation_job_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_invitation_job_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_invitation_job_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_job")),
    )
    with op.batch_alter_table("invitation_job", schema=None) as batch_op:
        for column in ("created_by_id", "event_id", "organisation_id", "state"):
            batch_op.create_index(batch_op.f(f"ix_invitation_job_{column}"), [column], unique=False)
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "checked_in_attempt",
                sa.BigInteger(),
                nullable=True,
                comment="random number drawn by the scan that admitted (tells it it won)",
            )
        )


def downgrade():
    op.drop_table("invitation_job")
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_column("checked_in_attempt")
