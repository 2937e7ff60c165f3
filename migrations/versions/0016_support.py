"""The offre modulaire: supports given to member structures, and their themes

Since 2025 each member may use two days a year of individual support; the team
records each one (date, duration, theme, who gave it) to follow the allowance
and count them in the annual report. The list of themes starts with the ones
the federation offers, and the team edits it from then on.

Revision ID: 0016
Revises: 0015
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

#: The themes of the offer when it started; copied here so this revision never changes.
FIRST_THEMES = (
    "Fonds européens",
    "RSE",
    "Marchés publics",
    "Modèle économique",
    "Ressources humaines",
    "Gouvernance et vie associative",
)


def upgrade():
    theme = op.create_table(
        "support_theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_theme")),
        sa.UniqueConstraint("name", name=op.f("uq_support_theme_name")),
    )
    op.create_table(
        "support",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("structure_id", sa.Integer(), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("over_allowance", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("minutes > 0", name=op.f("ck_support_minutes_positive")),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_user.id"],
            name=op.f("fk_support_staff_user_id_staff_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["structure_id"],
            ["structure.id"],
            name=op.f("fk_support_structure_id_structure"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["support_theme.id"],
            name=op.f("fk_support_theme_id_support_theme"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support")),
    )
    with op.batch_alter_table("support", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_support_given_on"), ["given_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_support_structure_id"), ["structure_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_support_theme_id"), ["theme_id"], unique=False)

    now = dt.datetime.now(dt.UTC)
    op.bulk_insert(
        theme, [{"name": name, "active": True, "created_at": now} for name in FIRST_THEMES]
    )


def downgrade():
    with op.batch_alter_table("support", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_theme_id"))
        batch_op.drop_index(batch_op.f("ix_support_structure_id"))
        batch_op.drop_index(batch_op.f("ix_support_given_on"))

    op.drop_table("support")
    op.drop_table("support_theme")
