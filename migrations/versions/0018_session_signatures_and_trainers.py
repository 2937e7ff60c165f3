"""Signatures drawn on screen for a session's émargement, and an event's trainers

Trainees sign each half-day of a training on a tablet or their phone; the
signature image is kept (bounded in size) as the proof the signed sheet
prints, with the time and the staff member whose tablet it was. The sheet
also names the training's trainers, which the event did not hold.

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "session_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("image_png", sa.LargeBinary(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "length(image_png) BETWEEN 1 AND 200000",
            name=op.f("ck_session_signature_image_size_bounded"),
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_session_signature_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["event_session.id"],
            name=op.f("fk_session_signature_session_id_event_session"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_user.id"],
            name=op.f("fk_session_signature_staff_user_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_signature")),
        sa.UniqueConstraint(
            "registration_id",
            "session_id",
            name=op.f("uq_session_signature_registration_id_session_id"),
        ),
    )
    with op.batch_alter_table("session_signature") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_signature_registration_id"), ["registration_id"]
        )
        batch_op.create_index(batch_op.f("ix_session_signature_session_id"), ["session_id"])

    # A plain ADD COLUMN: on SQLite, batch mode would rebuild the event table,
    # and dropping the old one would cascade to its registrations.
    op.add_column(
        "event", sa.Column("trainers", sa.String(length=300), nullable=False, server_default="")
    )


def downgrade():
    op.drop_column("event", "trainers")
    with op.batch_alter_table("session_signature") as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_signature_session_id"))
        batch_op.drop_index(batch_op.f("ix_session_signature_registration_id"))
    op.drop_table("session_signature")
