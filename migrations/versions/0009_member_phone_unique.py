"""one phone number per member within an organisation (issue 11): a partial unique index
on (organisation_id, phone) where the phone is set, so that an update import can no
longer give two members the same phone (after which neither could be edited)

Existing data may already hold such pairs. Decision: the phone stays with the oldest
member (created first; the lowest id among equals) and is cleared (set to NULL) on the
others, whose email and everything else stay; each cleared phone is logged (organisation,
phone, the member who keeps it, the members who lose it) in the upgrade's output, so
that an organiser can be told to ask those members for their own number. The migration
therefore never fails on duplicates. The downgrade puts the plain index back; cleared
phones are not restored.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:00:00

"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
PHONE_SET = sa.text("phone IS NOT NULL")


def upgrade():
    member = sa.table(
        "member",
        sa.column("id", sa.Integer),
        sa.column("organisation_id", sa.Integer),
        sa.column("phone", sa.String),
        sa.column("created_at", sa.DateTime),
    )
    conn = op.get_bind()
    shared = conn.execute(
        sa.select(member.c.organisation_id, member.c.phone)
        .where(member.c.phone.is_not(None))
        .group_by(member.c.organisation_id, member.c.phone)
        .having(sa.func.count() > 1)
    ).all()
    for organisation_id, phone in shared:
        ids = conn.scalars(
            sa.select(member.c.id)
            .where(member.c.organisation_id == organisation_id, member.c.phone == phone)
            .order_by(member.c.created_at, member.c.id)
        ).all()
        keeper, others = ids[0], ids[1:]
        conn.execute(member.update().where(member.c.id.in_(others)).values(phone=None))
        log.warning(
            "organisation %s: phone %s kept by member %s, cleared on members %s",
            organisation_id, phone, keeper, ", ".join(str(i) for i in others),
        )
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_index("ix_member_org_phone")
        batch_op.create_index(
            "uq_member_org_phone",
            ["organisation_id", "phone"],
            unique=True,
            sqlite_where=PHONE_SET,
            postgresql_where=PHONE_SET,
        )


def downgrade():
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_index("uq_member_org_phone")
        batch_op.create_index("ix_member_org_phone", ["organisation_id", "phone"], unique=False)
