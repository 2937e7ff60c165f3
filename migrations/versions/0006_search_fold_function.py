"""ic_fold(): accent- and case-insensitive search on PostgreSQL

SQLite gets the same function from the application on every connection
(instant_coorace/search.py), so there is nothing to create there.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

from instant_coorace.search import POSTGRESQL_FUNCTION

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION.statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS ic_fold(text)")
