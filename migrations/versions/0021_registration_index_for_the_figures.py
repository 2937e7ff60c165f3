"""An index of registrations holding what the year's figures read

The figures page counts a period's registrations by status, person, structure
and source; with these columns in one index beginning with the event, it reads
them without visiting the table row by row (about twice as fast on 20,000
registrations, and growing closer to the data's size at 10×; see BENCHMARKS.md).

Revision ID: 0021
Revises: 0020
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registration") as batch_op:
        batch_op.create_index(
            "ix_registration_event_status_people",
            ["event_id", "status", "person_id", "structure_id", "source"],
        )


def downgrade():
    with op.batch_alter_table("registration") as batch_op:
        batch_op.drop_index("ix_registration_event_status_people")
