"""personal links are no longer stored in clear (issue 11): each token becomes its
SHA-256 (what a request is looked up by) and a sealed copy that only the application's
key opens (to write the link again in a reminder); revoked ticket codes keep the digest

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 15:00:00

Every link already sent keeps working: the digests and sealed copies are made from the
tokens in place, with the key the application is configured with (TOKEN_SEAL_KEY, or the
one derived from SECRET_KEY). A downgrade opens the sealed copies again; the revoked
codes cannot be given back, so after a downgrade they read as unknown, not revoked.
"""

import sqlalchemy as sa
from alembic import op

from core.tokens import seal, sha256_hex, unseal

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# table, old column, new column prefix, whether a row may have none
TOKENS = (
    ("invitation", "token", "token", False),
    ("survey_invite", "token", "token", False),
    ("registration_confirmation", "token", "token", False),
    ("registration", "ticket_code", "ticket_code", True),
)


def _move(table: str, source: str, targets: dict) -> None:
    """Fill the new columns of every row from `source` (a function of the old value)."""
    conn = op.get_bind()
    rows = conn.execute(sa.text(f"SELECT id, {source} FROM {table}")).all()  # noqa: S608
    values = [{"row_id": rid, **{c: make(old) for c, make in targets.items()}}
              for rid, old in rows if old is not None]  # fmt: skip
    if values:
        sets = ", ".join(f"{column} = :{column}" for column in targets)
        conn.execute(sa.text(f"UPDATE {table} SET {sets} WHERE id = :row_id"), values)  # noqa: S608


def upgrade():
    for table, old, new, optional in TOKENS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(f"{new}_hash", sa.String(length=64), nullable=True, comment="sha256 hex")
            )
            comment = None if optional else "see core.tokens"
            batch_op.add_column(
                sa.Column(f"{new}_sealed", sa.String(length=200), nullable=True, comment=comment)
            )
        _move(table, old, {f"{new}_hash": sha256_hex, f"{new}_sealed": seal})
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"uq_{table}_{old}", type_="unique")
            batch_op.drop_column(old)
            if not optional:
                batch_op.alter_column(f"{new}_hash", existing_type=sa.String(64), nullable=False)
                batch_op.alter_column(f"{new}_sealed", existing_type=sa.String(200), nullable=False)
            batch_op.create_unique_constraint(f"uq_{table}_{new}_hash", [f"{new}_hash"])
    with op.batch_alter_table("rsvp_revoked_ticket", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("code_hash", sa.String(length=64), nullable=True, comment="sha256 hex")
        )
    _move("rsvp_revoked_ticket", "code", {"code_hash": sha256_hex})
    with op.batch_alter_table("rsvp_revoked_ticket", schema=None) as batch_op:
        batch_op.drop_constraint("uq_rsvp_revoked_ticket_code", type_="unique")
        batch_op.drop_column("code")
        batch_op.alter_column("code_hash", existing_type=sa.String(64), nullable=False)
        batch_op.create_unique_constraint("uq_rsvp_revoked_ticket_code_hash", ["code_hash"])


def downgrade():
    with op.batch_alter_table("rsvp_revoked_ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code", sa.String(length=64), nullable=True))
    _move("rsvp_revoked_ticket", "code_hash", {"code": lambda digest: digest})
    with op.batch_alter_table("rsvp_revoked_ticket", schema=None) as batch_op:
        batch_op.drop_constraint("uq_rsvp_revoked_ticket_code_hash", type_="unique")
        batch_op.drop_column("code_hash")
        batch_op.alter_column("code", existing_type=sa.String(64), nullable=False)
        batch_op.create_unique_constraint("uq_rsvp_revoked_ticket_code", ["code"])
    for table, old, new, optional in TOKENS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(old, sa.String(length=64), nullable=True))
        _move(table, f"{new}_sealed", {old: unseal})
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"uq_{table}_{new}_hash", type_="unique")
            batch_op.drop_column(f"{new}_hash")
            batch_op.drop_column(f"{new}_sealed")
            if not optional:
                batch_op.alter_column(old, existing_type=sa.String(64), nullable=False)
            batch_op.create_unique_constraint(f"uq_{table}_{old}", [old])
