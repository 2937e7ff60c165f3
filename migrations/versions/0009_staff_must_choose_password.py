"""Staff accounts choose their own password after an issued one

An account created by ``flask staff create`` or by an admin, or whose password
was reset, holds a password someone else saw: its next login must replace it.
Existing accounts keep theirs.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "must_choose_password", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade():
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_column("must_choose_password")
