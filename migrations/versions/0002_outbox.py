"""outbox: outgoing mail delivered by the worker

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 04:00:00

"""

from alembic import op
import sqlalchemy as sa

import instant_coorace.database


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outgoing_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("dedup_key", sa.String(length=200), nullable=False),
        sa.Column("to_email", sa.String(length=254), nullable=False),
        sa.Column("to_name", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("calendar_text", sa.Text(), nullable=True),
        sa.Column(
            "calendar_method",
            sa.Enum(
                "REQUEST", "CANCEL", "PUBLISH", name="calendarmethod", native_enum=False, length=32
            ),
            nullable=True,
        ),
        sa.Column("attachment_filename", sa.String(length=100), nullable=True),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "sending",
                "sent",
                "failed",
                "cancelled",
                name="mailstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "next_attempt_at", instant_coorace.database.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "leased_until", instant_coorace.database.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column(
            "created_at", instant_coorace.database.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("sent_at", instant_coorace.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_outgoing_mail_event_id_event"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_outgoing_mail_registration_id_registration"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outgoing_mail")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_outgoing_mail_dedup_key")),
    )
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.create_index("ix_outgoing_mail_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outgoing_mail_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outgoing_mail_purpose"), ["purpose"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_outgoing_mail_registration_id"), ["registration_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outgoing_mail_to_email"), ["to_email"], unique=False)


def downgrade():
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outgoing_mail_to_email"))
        batch_op.drop_index(batch_op.f("ix_outgoing_mail_registration_id"))
        batch_op.drop_index(batch_op.f("ix_outgoing_mail_purpose"))
        batch_op.drop_index(batch_op.f("ix_outgoing_mail_event_id"))
        batch_op.drop_index("ix_outgoing_mail_due")

    op.drop_table("outgoing_mail")
