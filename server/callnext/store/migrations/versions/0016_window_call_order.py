"""a window's work profile (call_order): `queue`, first come across its services (what every
window did before), or `services`, its services in the order listed; existing windows: `queue`

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("windows") as batch:
        batch.add_column(
            sa.Column("call_order", sa.String(16), nullable=False, server_default="queue")
        )


def downgrade() -> None:
    with op.batch_alter_table("windows") as batch:
        batch.drop_column("call_order")
