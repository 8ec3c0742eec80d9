"""the phone's own id on each scan, so that two phones signed in with one door account are
told apart when they admit the same ticket (issue 18)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 12:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "client_id",
                sa.String(length=64),
                nullable=True,
                comment="the phone's own id: two phones on one account are told apart",
            )
        )


def downgrade():
    with op.batch_alter_table("checkin", schema=None) as batch_op:
        batch_op.drop_column("client_id")
