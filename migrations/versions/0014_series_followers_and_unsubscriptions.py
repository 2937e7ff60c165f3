"""Followers of a series, and addresses that unsubscribed from invitations

A series' followers are a group campaigns can invite (after a double opt-in for
someone not yet known); an unsubscribed address gets no more invitations,
announcements or follow-ups, whoever types it into a campaign.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "unsubscription",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("from_purpose", sa.String(length=64), nullable=False),
        sa.Column("from_subject", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unsubscription")),
        sa.UniqueConstraint("email", name=op.f("uq_unsubscription_email")),
    )
    op.create_table(
        "series_follower",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_series_follower_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["series.id"],
            name=op.f("fk_series_follower_series_id_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series_follower")),
        sa.UniqueConstraint(
            "series_id", "person_id", name=op.f("uq_series_follower_series_id_person_id")
        ),
    )
    with op.batch_alter_table("series_follower", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_series_follower_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_series_follower_series_id"), ["series_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("series_follower", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_series_follower_series_id"))
        batch_op.drop_index(batch_op.f("ix_series_follower_person_id"))

    op.drop_table("series_follower")
    op.drop_table("unsubscription")
