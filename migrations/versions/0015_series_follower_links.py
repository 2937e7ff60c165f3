"""Series followers' personal links and the time of their confirmation mail

A follower confirms (double opt-in) and stops following through a personal
link; the row keeps the nonce it derives from and the SHA-256 of the token,
never the token, and when the confirmation was last asked for, after which
its link expires.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("series_follower", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token_nonce", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("token_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("confirmation_sent_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_series_follower_token_hash"), ["token_hash"]
        )


def downgrade():
    with op.batch_alter_table("series_follower", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_series_follower_token_hash"), type_="unique")
        batch_op.drop_column("confirmation_sent_at")
        batch_op.drop_column("token_hash")
        batch_op.drop_column("token_nonce")
