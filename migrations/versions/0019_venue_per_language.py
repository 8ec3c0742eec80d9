"""the venue in Arabic and in French beside the venue as written (issue 13): an Arabic page
shows «قاعة الاجتماعات الجديدة» and a French page «Nouvelle salle de réunion» when the
organisers gave both

Revision ID: 0019
Revises: 0014
Create Date: 2026-12-02 18:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        for lang, name in (("ar", "Arabic"), ("fr", "French")):
            batch_op.add_column(
                sa.Column(
                    f"venue_name_{lang}",
                    sa.String(length=200),
                    server_default="",
                    nullable=False,
                    comment=f"the venue in {name}, if given",
                )
            )


def downgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("venue_name_fr")
        batch_op.drop_column("venue_name_ar")
