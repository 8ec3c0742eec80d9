"""the outbox names what a message is about (kind + id) instead of holding foreign keys
into the invitations and RSVP tables (issue 10: core knows no feature)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 11:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("subject_kind", sa.String(length=20), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("subject_id", sa.Integer(), nullable=True))
    message = sa.table(
        "outbox_message",
        sa.column("subject_kind", sa.String),
        sa.column("subject_id", sa.Integer),
        sa.column("invitation_id", sa.Integer),
        sa.column("registration_id", sa.Integer),
    )
    op.execute(
        message.update()
        .where(message.c.invitation_id.is_not(None))
        .values(subject_kind="invitation", subject_id=message.c.invitation_id)
    )
    op.execute(
        message.update()
        .where(message.c.invitation_id.is_(None), message.c.registration_id.is_not(None))
        .values(subject_kind="registration", subject_id=message.c.registration_id)
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.alter_column("subject_kind", server_default=None)
        batch_op.drop_index("ix_outbox_message_invitation_id")
        batch_op.drop_index("ix_outbox_message_registration_id")
        batch_op.drop_constraint("fk_outbox_message_invitation_id_invitation", type_="foreignkey")
        batch_op.drop_constraint(
            "fk_outbox_message_registration_id_registration", type_="foreignkey"
        )
        batch_op.drop_column("invitation_id")
        batch_op.drop_column("registration_id")
        batch_op.create_index(
            "ix_outbox_message_subject", ["subject_kind", "subject_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_subject")
        batch_op.add_column(sa.Column("invitation_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("registration_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE outbox_message SET invitation_id = subject_id WHERE subject_kind = 'invitation'"
    )
    op.execute(
        "UPDATE outbox_message SET registration_id = subject_id "
        "WHERE subject_kind = 'registration'"
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "fk_outbox_message_invitation_id_invitation",
            "invitation",
            ["invitation_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            "fk_outbox_message_registration_id_registration",
            "registration",
            ["registration_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_outbox_message_invitation_id", ["invitation_id"])
        batch_op.create_index("ix_outbox_message_registration_id", ["registration_id"])
        batch_op.drop_column("subject_kind")
        batch_op.drop_column("subject_id")
