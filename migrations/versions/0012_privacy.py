"""a member's data stays theirs (issue 14): the append-only audit log, the one-time links
of the member's own page, erasure marks on members and a retention period per organisation

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 15:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False, comment="UTC"),
        sa.Column("address", sa.String(length=45), nullable=False, comment="client address"),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False, comment="names only"),
        sa.Column("detail", sa.JSON(), nullable=False, comment="counts, formats"),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_audit_entry_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_audit_entry_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_action"), ["action"], unique=False)
        batch_op.create_index("ix_audit_entry_org_at", ["organisation_id", "at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_entry_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_entry_user_id"), ["user_id"], unique=False)

    op.create_table(
        "my_data_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False, comment="sha256 hex"),
        sa.Column("token_sealed", sa.String(length=200), nullable=False, comment="see core.tokens"),
        sa.Column("created_at", sa.DateTime(), nullable=False, comment="UTC"),
        sa.Column("expires_at", sa.DateTime(), nullable=False, comment="UTC"),
        sa.Column("used_at", sa.DateTime(), nullable=True, comment="UTC: opened (once)"),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_my_data_link_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_my_data_link_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_my_data_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_my_data_link_token_hash")),
    )
    with op.batch_alter_table("my_data_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_my_data_link_member_id"), ["member_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_my_data_link_organisation_id"), ["organisation_id"], unique=False
        )

    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("erasure_requested_at", sa.DateTime(), nullable=True, comment="asked on /my-data")
        )
        batch_op.add_column(
            sa.Column("erased_at", sa.DateTime(), nullable=True, comment="personal fields replaced")
        )

    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "retention_months",
                sa.Integer(),
                nullable=True,
                comment="personal data of an event is anonymised this long after it",
            )
        )
    op.execute("UPDATE organisation SET retention_months = 24")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.alter_column("retention_months", existing_type=sa.Integer(), nullable=False)


def downgrade():
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("retention_months")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
        batch_op.drop_column("erasure_requested_at")
    with op.batch_alter_table("my_data_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_my_data_link_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_my_data_link_member_id"))
    op.drop_table("my_data_link")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_organisation_id"))
        batch_op.drop_index("ix_audit_entry_org_at")
        batch_op.drop_index(batch_op.f("ix_audit_entry_action"))
    op.drop_table("audit_entry")
