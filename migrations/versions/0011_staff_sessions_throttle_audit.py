"""Server-side staff sessions, per-account login throttling, the audit log

``staff_session`` holds each login (only its token's hash), so that logging out,
a deactivation or a new password ends it for good. ``staff_user`` counts its
failed logins, which make the next try wait. ``audit_entry`` records who did
which sensitive thing, when and from where.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ACTIONS = (
    "login_succeeded",
    "login_failed",
    "logout",
    "password_changed",
    "account_created",
    "account_deactivated",
    "account_reactivated",
    "account_role_changed",
    "account_password_reset",
    "person_exported",
    "person_erased",
    "directory_imported",
    "registrants_exported",
    "event_cancelled",
)


def upgrade():
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("last_failed_login_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "staff_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("remote_addr", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_user.id"],
            name=op.f("fk_staff_session_staff_user_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_session_token_hash")),
    )
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_session_staff_user_id"), ["staff_user_id"], unique=False
        )
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column(
            "action",
            sa.Enum(*ACTIONS, name="auditaction", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("remote_addr", sa.String(length=64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_user.id"],
            name=op.f("fk_audit_entry_staff_user_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_action"), ["action"], unique=False)


def downgrade():
    op.drop_table("audit_entry")
    op.drop_table("staff_session")
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_column("last_failed_login_at")
        batch_op.drop_column("failed_logins")
