"""each service's guide (办事指南, 一次告知): the materials to bring and notes, in Chinese and
English; existing services get an empty guide

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-09 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

COLUMNS = (
    ("guide_materials", "[]"),
    ("guide_materials_en", "[]"),
    ("guide_notes", ""),
    ("guide_notes_en", ""),
)


def upgrade() -> None:
    with op.batch_alter_table("services") as batch:
        for name, empty in COLUMNS:
            batch.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=empty))


def downgrade() -> None:
    with op.batch_alter_table("services") as batch:
        for name, _empty in reversed(COLUMNS):
            batch.drop_column(name)
