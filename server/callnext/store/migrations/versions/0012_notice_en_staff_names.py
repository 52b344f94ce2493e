"""the hall's notice in English; a staff account's display name and staff number (工号), and
the window's copy of them while the account holds it (the window screens show them)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("halls") as batch:
        batch.add_column(sa.Column("notice_en", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("users") as batch:
        for name, size in (("display_name", 64), ("staff_no", 32)):
            batch.add_column(sa.Column(name, sa.String(size), nullable=False, server_default=""))
    with op.batch_alter_table("windows") as batch:
        batch.add_column(sa.Column("desk_name", sa.String(64)))
        batch.add_column(sa.Column("desk_no", sa.String(32)))


def downgrade() -> None:
    with op.batch_alter_table("windows") as batch:
        batch.drop_column("desk_no")
        batch.drop_column("desk_name")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("staff_no")
        batch.drop_column("display_name")
    with op.batch_alter_table("halls") as batch:
        batch.drop_column("notice_en")
