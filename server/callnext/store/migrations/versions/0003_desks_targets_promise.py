"""staff desks (who holds a window), wait targets, the hall's promise, pending matters index,
the estimate given at issue, why the system closed a ticket (expired at the day's end), the audit
log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("halls") as batch:
        batch.add_column(
            sa.Column("promise_s", sa.Integer(), nullable=False, server_default="3600")
        )
    with op.batch_alter_table("services") as batch:
        batch.add_column(
            sa.Column("target_wait_s", sa.Integer(), nullable=False, server_default="900")
        )
        batch.add_column(sa.Column("priority_ratio", sa.Integer(), nullable=True))
    with op.batch_alter_table("windows") as batch:
        batch.add_column(sa.Column("desk_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("desk_user", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("desk_since", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("desk_window", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("desk_id", sa.String(length=32), nullable=True))
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("est_at_issue_s", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("closed_reason", sa.String(length=16), nullable=True))
    op.create_table(
        "audit",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hall_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("window", sa.Integer(), nullable=True),
        sa.Column("ticket", sa.String(length=16), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False, server_default="{}"),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["halls.id"], name="fk_audit_hall_id_halls", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_audit"),
    )
    op.create_index("ix_audit_hall_at", "audit", ["hall_id", "at"])
    # The snapshot's `recent` reads today's latest calls: by day first, or SQLite walks every
    # call ever made when today has few: a snapshot took 31 ms at 110,000 old tickets, 2.7 ms now.
    op.drop_index("ix_tickets_last_called", table_name="tickets")
    op.create_index("ix_tickets_recent", "tickets", ["hall_id", "day", "last_called_at"])
    op.create_index(
        "ix_tickets_pending",
        "tickets",
        ["hall_id", "finished_at"],
        sqlite_where=sa.text("outcome = 'pending'"),
        postgresql_where=sa.text("outcome = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_pending", table_name="tickets")
    op.drop_index("ix_tickets_recent", table_name="tickets")
    op.create_index("ix_tickets_last_called", "tickets", ["hall_id", "last_called_at"])
    op.drop_index("ix_audit_hall_at", table_name="audit")
    op.drop_table("audit")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("closed_reason")
        batch.drop_column("est_at_issue_s")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("desk_id")
        batch.drop_column("desk_window")
    with op.batch_alter_table("windows") as batch:
        batch.drop_column("desk_since")
        batch.drop_column("desk_user")
        batch.drop_column("desk_id")
    with op.batch_alter_table("services") as batch:
        batch.drop_column("priority_ratio")
        batch.drop_column("target_wait_s")
    with op.batch_alter_table("halls") as batch:
        batch.drop_column("promise_s")
