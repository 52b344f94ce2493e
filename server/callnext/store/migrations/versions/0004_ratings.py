"""the citizen's rating of each finished ticket (好差评)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ratings",
        sa.Column("id", ID, nullable=False),
        sa.Column("hall_id", ID, nullable=False),
        sa.Column("ticket_pk", ID, nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("service", sa.String(length=3), nullable=False),
        sa.Column("window", sa.Integer(), nullable=True),
        sa.Column("staff", sa.String(length=64), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["halls.id"], name="fk_ratings_hall_id_halls", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["ticket_pk"], ["tickets.pk"], name="fk_ratings_ticket_pk_tickets", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ratings"),
        sa.UniqueConstraint("ticket_pk", name="uq_ratings_ticket_pk"),
    )
    op.create_index("ix_ratings_hall_day", "ratings", ["hall_id", "day", "score"])


def downgrade() -> None:
    op.drop_index("ix_ratings_hall_day", table_name="ratings")
    op.drop_table("ratings")
