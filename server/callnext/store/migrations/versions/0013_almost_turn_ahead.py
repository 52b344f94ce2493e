"""the hall's "almost your turn" (快到您了): the phone page alerts once when this many tickets
are ahead; existing halls get the default, 3

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("halls") as batch:
        batch.add_column(
            sa.Column("almost_turn_ahead", sa.Integer(), nullable=False, server_default="3")
        )


def downgrade() -> None:
    with op.batch_alter_table("halls") as batch:
        batch.drop_column("almost_turn_ahead")
