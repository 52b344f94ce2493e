"""a key per kiosk (its SHA-256 only): a kiosk that sends it issues on its own budget

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("kiosks") as batch:
        batch.add_column(sa.Column("key_digest", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("kiosks") as batch:
        batch.drop_column("key_digest")
