"""the queue index in queue order (priority first), so the call-next claim reads only the head

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_KEYS = ["hall_id", "status", "service"]


def upgrade() -> None:
    op.drop_index("ix_tickets_queue", table_name="tickets")
    op.create_index(
        "ix_tickets_queue",
        "tickets",
        [*_KEYS, sa.text("priority DESC"), "queue_at", "pk"],
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_queue", table_name="tickets")
    op.create_index("ix_tickets_queue", "tickets", [*_KEYS, "priority", "queue_at", "pk"])
