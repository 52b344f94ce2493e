"""hall settings (notice, hours, closed dates), service hours/quota/priority, kiosks

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("halls") as batch:
        batch.add_column(sa.Column("notice", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("hours", sa.Text(), nullable=True))
        batch.add_column(sa.Column("closed_dates", sa.Text(), nullable=False, server_default="[]"))
    with op.batch_alter_table("services") as batch:
        batch.add_column(sa.Column("hours", sa.Text(), nullable=True))
        batch.add_column(sa.Column("daily_quota", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column(
                "priority_allowed", sa.Boolean(), nullable=False, server_default=sa.text("true")
            )
        )
    op.create_table(
        "kiosks",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("hall_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("print_mode", sa.String(length=16), nullable=False, server_default="none"),
        sa.Column("printer", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["halls.id"], name="fk_kiosks_hall_id_halls", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_kiosks"),
        sa.UniqueConstraint("hall_id", "code", name="uq_kiosks_hall_id_code"),
    )


def downgrade() -> None:
    op.drop_table("kiosks")
    with op.batch_alter_table("services") as batch:
        batch.drop_column("priority_allowed")
        batch.drop_column("daily_quota")
        batch.drop_column("hours")
    with op.batch_alter_table("halls") as batch:
        batch.drop_column("closed_dates")
        batch.drop_column("hours")
        batch.drop_column("notice")
