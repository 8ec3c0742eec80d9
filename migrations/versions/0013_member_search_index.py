"""member search indexed on PostgreSQL: a trigram GIN index on the folded search key,
so that a substring search over hundreds of thousands of members reads the index
instead of every row (issue 16); SQLite keeps its scan

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 15:30:00

"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        "CREATE INDEX ix_member_search_text_trgm ON member USING gin (search_text gin_trgm_ops)"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_member_search_text_trgm")
