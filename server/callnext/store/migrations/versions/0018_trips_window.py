"""trips per matter (一次办结率): the hall's trips_window_days, the days a matter may take from
its first visit (30 for every hall after this migration)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("halls") as batch:
        batch.add_column(
            sa.Column("trips_window_days", sa.Integer(), nullable=False, server_default="30")
        )


def downgrade() -> None:
    with op.batch_alter_table("halls") as batch:
        batch.drop_column("trips_window_days")
