"""the event's calendar revision, so that every .ics about one person and one event
shares a UID and a later change (a new time, a new place, a cancellation) replaces the
entry in the person's calendar (issue 11)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "calendar_sequence",
                sa.Integer(),
                server_default="0",
                nullable=False,
                comment="the .ics SEQUENCE: +1 when time, place or status change",
            )
        )


def downgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("calendar_sequence")
