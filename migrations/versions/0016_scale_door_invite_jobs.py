"""the door's refusal path as cheap as admission: `registration.checked_in_attempt`, the
random number drawn by the scan that admitted, so one UPDATE … RETURNING tells a scan
whether it admitted or what it met (issue 16)

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-02 18:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
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
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_column("checked_in_attempt")
