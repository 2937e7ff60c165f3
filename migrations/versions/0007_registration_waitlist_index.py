"""The seat-count index also orders the waiting list

The end of the waiting list (max of waitlist_position), read under the event's
lock at every registration, becomes one index lookup instead of a read of every
waitlisted row.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.create_index(
            "ix_registration_event_status_position",
            ["event_id", "status", "waitlist_position"],
            unique=False,
        )
        batch_op.drop_index("ix_registration_event_status")


def downgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.create_index("ix_registration_event_status", ["event_id", "status"], unique=False)
        batch_op.drop_index("ix_registration_event_status_position")
