"""partner accounts and follow-up threads (issue 15): the role `partner` bound to one
partner body, its one-time invitation link; the thread of messages of each follow-up with
the member's one-time reply link; the status "needs the member's documents"; the
organisers' notes of an event's report

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 15:20:00

Both enumerations are VARCHAR columns with a named CHECK constraint: the constraint is
dropped and made again with the new value (on SQLite by rebuilding the table). A
downgrade first deletes the partner accounts and turns "needs documents" back into
"in progress", so the old constraints hold.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

OLD_ROLES = ("door", "organiser", "owner")
NEW_ROLES = ("partner", *OLD_ROLES)
OLD_STATUSES = ("open", "in_progress", "resolved")
NEW_STATUSES = ("open", "in_progress", "needs_documents", "resolved")


def _in(column: str, values: tuple) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _enum_check(table: str, column: str, name: str, values: tuple) -> None:
    with op.batch_alter_table(table, schema=None, recreate="always" if _sqlite() else "auto") as b:
        b.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
        b.create_check_constraint(op.f(f"ck_{table}_{name}"), _in(column, values))


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    _enum_check("user_account", "role", "role", NEW_ROLES)
    _enum_check("follow_up", "status", "follow_up_status", NEW_STATUSES)
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("partner_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("partner_departments", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("invite_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("invite_sealed", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("invite_expires_at", sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_user_account_partner_id"), ["partner_id"])
        batch_op.create_unique_constraint(batch_op.f("uq_user_account_invite_hash"), ["invite_hash"])
        batch_op.create_foreign_key(
            batch_op.f("fk_user_account_partner_id_partner"),
            "partner",
            ["partner_id"],
            ["id"],
            ondelete="CASCADE",
        )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.alter_column("partner_departments", server_default=None)
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "report_notes",
                sa.Text(),
                server_default="",
                nullable=False,
                comment="the organisers' notes in the report",
            )
        )
    op.create_table(
        "follow_up_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("followup_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("answer", "reply", "note", name="message_kind", native_enum=False,
                    create_constraint=True, length=24),
            nullable=False,
        ),  # fmt: skip
        sa.Column(
            "outcome",
            sa.Enum("", "resolved", "needs_documents", "solved", "not_solved",
                    name="message_outcome", native_enum=False, create_constraint=True, length=24),
            nullable=False,
        ),  # fmt: skip
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False, comment="ar or fr"),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("reply_hash", sa.String(length=64), nullable=True),
        sa.Column("reply_sealed", sa.String(length=200), nullable=True),
        sa.Column("replied_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False, comment="UTC"),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user_account.id"],
            name=op.f("fk_follow_up_message_author_id_user_account"), ondelete="SET NULL",
        ),  # fmt: skip
        sa.ForeignKeyConstraint(
            ["followup_id"], ["follow_up.id"],
            name=op.f("fk_follow_up_message_followup_id_follow_up"), ondelete="CASCADE",
        ),  # fmt: skip
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"],
            name=op.f("fk_follow_up_message_organisation_id_organisation"), ondelete="CASCADE",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_message")),
        sa.UniqueConstraint("reply_hash", name=op.f("uq_follow_up_message_reply_hash")),
    )
    with op.batch_alter_table("follow_up_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_up_message_followup_id"), ["followup_id"])
        batch_op.create_index(
            batch_op.f("ix_follow_up_message_organisation_id"), ["organisation_id"]
        )


def downgrade():
    op.drop_table("follow_up_message")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("report_notes")
    op.execute("DELETE FROM user_account WHERE role = 'partner'")
    op.execute("UPDATE follow_up SET status = 'in_progress' WHERE status = 'needs_documents'")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint("fk_user_account_partner_id_partner", type_="foreignkey")
        batch_op.drop_constraint("uq_user_account_invite_hash", type_="unique")
        batch_op.drop_index("ix_user_account_partner_id")
        for column in ("invite_expires_at", "invite_sealed", "invite_hash"):
            batch_op.drop_column(column)
        batch_op.drop_column("partner_departments")
        batch_op.drop_column("partner_id")
    _enum_check("follow_up", "status", "follow_up_status", OLD_STATUSES)
    _enum_check("user_account", "role", "role", OLD_ROLES)
