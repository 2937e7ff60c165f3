"""Registration indexes shaped by the questions asked under the event's lock

Without statistics (a new database) PostgreSQL answered « seats taken by this
structure » by reading every confirmed registration of the event through the
(event_id, status, …) index. Each question now has an index whose leading
columns are exactly its equality conditions:

- the unique (event_id, person_id) becomes (person_id, event_id), which also
  replaces the index on person_id alone;
- the index on structure_id becomes (structure_id, event_id, status);
- the index on status alone (three values, every query also names the event or
  the person) is dropped: one index less to write at every registration.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_constraint("uq_registration_event_id_person_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_registration_person_id_event_id", ["person_id", "event_id"]
        )
        batch_op.drop_index("ix_registration_person_id")
        batch_op.drop_index("ix_registration_status")
        batch_op.drop_index("ix_registration_structure_id")
        batch_op.create_index(
            "ix_registration_structure_event_status",
            ["structure_id", "event_id", "status"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_index("ix_registration_structure_event_status")
        batch_op.create_index("ix_registration_structure_id", ["structure_id"], unique=False)
        batch_op.create_index("ix_registration_status", ["status"], unique=False)
        batch_op.create_index("ix_registration_person_id", ["person_id"], unique=False)
        batch_op.drop_constraint("uq_registration_person_id_event_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_registration_event_id_person_id", ["event_id", "person_id"]
        )
