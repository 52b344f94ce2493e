"""real-name tickets (实名取号): per service `real_name` and `person_daily_limit` (existing
services: off, limit 1 when turned on); tickets and appointments gain `person`, the holder's
keyed digest (domain/identity.py), indexed per hall and day

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

PERSON_KEY_LEN = 81  # domain/identity.py's, as of this revision


def upgrade() -> None:
    with op.batch_alter_table("services") as batch:
        batch.add_column(
            sa.Column("real_name", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("person_daily_limit", sa.Integer, server_default="1"))
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("person", sa.String(PERSON_KEY_LEN)))
    op.create_index("ix_tickets_person", "tickets", ["hall_id", "person", "day"])
    with op.batch_alter_table("appointments") as batch:
        batch.add_column(sa.Column("person", sa.String(PERSON_KEY_LEN)))
    op.create_index("ix_appointments_person", "appointments", ["hall_id", "person", "day"])


def downgrade() -> None:
    op.drop_index("ix_appointments_person", "appointments")
    with op.batch_alter_table("appointments") as batch:
        batch.drop_column("person")
    op.drop_index("ix_tickets_person", "tickets")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("person")
    with op.batch_alter_table("services") as batch:
        batch.drop_column("person_daily_limit")
        batch.drop_column("real_name")
