"""Per-session attendance of each registration

One row per registration and session, written by every way attendance is
taken (join link, imported report, check-in, signature, the team), so the
follow-up mail, the training paperwork and the yearly figures read one thing.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "session_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "present",
                "absent",
                "excused",
                name="attendancestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "source",
            sa.Enum(
                "join_link",
                "report",
                "check_in",
                "signature",
                "staff",
                name="attendancesource",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("minutes_attended", sa.Integer(), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "minutes_attended IS NULL OR minutes_attended >= 0",
            name=op.f("ck_session_attendance_minutes_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff_user.id"],
            name=op.f("fk_session_attendance_recorded_by_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_session_attendance_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["event_session.id"],
            name=op.f("fk_session_attendance_session_id_event_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_attendance")),
        sa.UniqueConstraint(
            "registration_id",
            "session_id",
            name=op.f("uq_session_attendance_registration_id_session_id"),
        ),
    )
    with op.batch_alter_table("session_attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_attendance_registration_id"), ["registration_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_session_attendance_session_id"), ["session_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("session_attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_attendance_session_id"))
        batch_op.drop_index(batch_op.f("ix_session_attendance_registration_id"))

    op.drop_table("session_attendance")
