"""Each registration keeps the name given for it

A registration already kept the structure and job title given for it; it now
keeps the first and last name too, so that registering elsewhere under the same
address never renames someone on their other registrations. Existing
registrations take the name their person has today.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

NAMES = ("first_name", "last_name")


def upgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        for name in NAMES:
            batch_op.add_column(
                sa.Column(name, sa.String(length=100), nullable=False, server_default="")
            )
    registration = sa.table("registration", sa.column("person_id"), *map(sa.column, NAMES))
    person = sa.table("person", sa.column("id"), *map(sa.column, NAMES))
    op.execute(
        registration.update().values(
            {
                name: sa.select(person.c[name])
                .where(person.c.id == registration.c.person_id)
                .scalar_subquery()
                for name in NAMES
            }
        )
    )
    with op.batch_alter_table("registration", schema=None) as batch_op:
        for name in NAMES:
            batch_op.alter_column(name, server_default=None)


def downgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        for name in NAMES:
            batch_op.drop_column(name)
