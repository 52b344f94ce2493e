"""staffed windows: a hold ends with its session (windows.desk_until), and a window where a
session without a hold acted counts as staffed for a while (windows.acted_at, acted_by)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("windows") as batch:
        batch.add_column(sa.Column("desk_until", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("acted_at", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("acted_by", sa.String(length=64), nullable=True))
    # A hold lasts while its session does: take each held window's expiry from its session, and
    # free the windows whose session is gone already.
    op.execute(
        "UPDATE windows SET desk_until = (SELECT max(s.expires_at) FROM sessions s"
        " WHERE s.desk_id = windows.desk_id) WHERE desk_id IS NOT NULL"
    )
    op.execute(
        "UPDATE windows SET desk_id = NULL, desk_user = NULL, desk_since = NULL"
        " WHERE desk_id IS NOT NULL AND desk_until IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("windows") as batch:
        batch.drop_column("acted_by")
        batch.drop_column("acted_at")
        batch.drop_column("desk_until")
