"""an index for each service's latest finishes of the day (the recent mean service time)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 00:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tickets_finished", "tickets", ["hall_id", "day", "service", "finished_at"])


def downgrade() -> None:
    op.drop_index("ix_tickets_finished", table_name="tickets")
