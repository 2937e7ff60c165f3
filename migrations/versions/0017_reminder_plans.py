"""Each event's choice of reminders and follow-up, and an index on event ends

An event without a plan sends the reminders of its format (J-7 and J-1, H-1 too
online); the team's page writes a plan to change them, with the follow-up's
message, links and delay. The reminder scan asks every minute which events
ended in the last days: the index on ``ends_at`` keeps that question cheap
whatever the years of past events.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reminder_plan",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("week_before", sa.Boolean(), nullable=False),
        sa.Column("day_before", sa.Boolean(), nullable=False),
        sa.Column("hour_before", sa.Boolean(), nullable=False),
        sa.Column("access_info", sa.Text(), nullable=False),
        sa.Column("follow_up_enabled", sa.Boolean(), nullable=False),
        sa.Column("follow_up_message", sa.Text(), nullable=False),
        sa.Column("replay_url", sa.String(length=500), nullable=False),
        sa.Column("survey_url", sa.String(length=500), nullable=False),
        sa.Column("follow_up_delay_hours", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_reminder_plan_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_reminder_plan")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index("ix_event_ends_at", ["ends_at"], unique=False)


def downgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_ends_at")
    op.drop_table("reminder_plan")
