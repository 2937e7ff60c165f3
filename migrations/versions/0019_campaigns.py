"""Invitation campaigns, their recipients, and mail one can unsubscribe from

A campaign invites chosen people to an event, each through a personal link
(only its hash is stored) that pre-fills the registration form; its recipients
keep what the follow-up shows (opened, registered through the link, reminded).
An unsubscribable mail gets the one-click ``List-Unsubscribe`` headers of
RFC 8058, whose link the worker makes at delivery.

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("selection", sa.String(length=1000), nullable=False),
        sa.Column("send_key", sa.String(length=32), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminder_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_campaign_event_id_event"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"],
            ["staff_user.id"],
            name=op.f("fk_campaign_sent_by_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign")),
        sa.UniqueConstraint("send_key", name=op.f("uq_campaign_send_key")),
    )
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_campaign_event_id"), ["event_id"], unique=False)

    op.create_table(
        "campaign_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("structure_id", sa.Integer(), nullable=True),
        sa.Column("structure_name", sa.String(length=200), nullable=False),
        sa.Column("job_title", sa.String(length=150), nullable=False),
        sa.Column("token_nonce", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("reminders", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_campaign_recipient_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_campaign_recipient_person_id_person"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_campaign_recipient_registration_id_registration"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["structure_id"],
            ["structure.id"],
            name=op.f("fk_campaign_recipient_structure_id_structure"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_recipient")),
        sa.UniqueConstraint(
            "campaign_id", "email", name=op.f("uq_campaign_recipient_campaign_id_email")
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_campaign_recipient_token_hash")),
    )
    with op.batch_alter_table("campaign_recipient", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_campaign_recipient_email"), ["email"], unique=False)

    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unsubscribable", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("outgoing_mail", schema=None) as batch_op:
        batch_op.drop_column("unsubscribable")

    with op.batch_alter_table("campaign_recipient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_recipient_email"))
    op.drop_table("campaign_recipient")

    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_event_id"))
    op.drop_table("campaign")
