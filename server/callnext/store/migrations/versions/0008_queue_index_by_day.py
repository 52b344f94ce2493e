"""the queue index per local day, so the queue statements bind the day and still read only the
head (a ticket of an earlier day is never called, even before the day rollover closes it)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_ORDER = [sa.text("priority DESC"), "queue_at", "pk"]


def upgrade() -> None:
    op.drop_index("ix_tickets_queue", table_name="tickets")
    op.create_index("ix_tickets_queue", "tickets", ["hall_id", "status", "service", "day", *_ORDER])


def downgrade() -> None:
    op.drop_index("ix_tickets_queue", table_name="tickets")
    op.create_index("ix_tickets_queue", "tickets", ["hall_id", "status", "service", *_ORDER])
