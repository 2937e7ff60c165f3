"""Join links of online sessions

Each version of a registration's personal join link (``/j/<token>``) keeps the
SHA-256 of its token, never the token, and whom it was given to, so that the
link of a seat handed over since can say so instead of opening the visio.

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "join_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_join_link_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_join_link_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_join_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_join_link_token_hash")),
    )
    with op.batch_alter_table("join_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_join_link_registration_id"), ["registration_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("join_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_join_link_registration_id"))
    op.drop_table("join_link")
