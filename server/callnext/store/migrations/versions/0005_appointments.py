"""bookable slots, appointments and their check-in

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
QUEUE_COLUMNS = ["hall_id", "status", "service", "priority"]


def upgrade() -> None:
    # tickets.queue_at: where a ticket's place in the queue counts from (walk-ins: issued_at).
    op.add_column(
        "tickets", sa.Column("queue_at", sa.BigInteger(), nullable=False, server_default="0")
    )
    op.add_column("tickets", sa.Column("slot_at", sa.BigInteger(), nullable=True))
    op.execute("UPDATE tickets SET queue_at = issued_at")
    op.drop_index("ix_tickets_queue", table_name="tickets")
    op.create_index("ix_tickets_queue", "tickets", [*QUEUE_COLUMNS, "queue_at", "pk"])
    op.create_table(
        "booking_policies",
        sa.Column("hall_id", ID, nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("checkin_early_min", sa.Integer(), nullable=False, server_default="30"),
        sa.Column("checkin_late_min", sa.Integer(), nullable=False, server_default="15"),
        sa.Column("queue_order", sa.String(length=16), nullable=False, server_default="slot_time"),
        sa.Column("outside_window", sa.String(length=16), nullable=False, server_default="walk_in"),
        sa.Column("name_field", sa.String(length=16), nullable=False, server_default="off"),
        sa.Column("phone_field", sa.String(length=16), nullable=False, server_default="off"),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["halls.id"], name="fk_booking_policies_hall_id_halls", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("hall_id", name="pk_booking_policies"),
    )
    op.create_table(
        "service_booking",
        sa.Column("hall_id", ID, nullable=False),
        sa.Column("service", sa.String(length=3), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("slot_min", sa.Integer(), nullable=False, server_default="15"),
        sa.Column("capacity", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("days_ahead", sa.Integer(), nullable=False, server_default="7"),
        sa.Column("hours", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["halls.id"], name="fk_service_booking_hall_id_halls", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("hall_id", "service", name="pk_service_booking"),
    )
    op.create_table(
        "appointments",
        sa.Column("pk", ID, nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("hall_id", ID, nullable=False),
        sa.Column("service", sa.String(length=3), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("slot_start", sa.BigInteger(), nullable=False),
        sa.Column("slot_end", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("cancelled_at", sa.BigInteger(), nullable=True),
        sa.Column("checked_in_at", sa.BigInteger(), nullable=True),
        sa.Column("checkin_kind", sa.String(length=16), nullable=True),
        sa.Column("ticket_pk", ID, nullable=True),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["halls.id"], name="fk_appointments_hall_id_halls", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["ticket_pk"],
            ["tickets.pk"],
            name="fk_appointments_ticket_pk_tickets",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("pk", name="pk_appointments"),
        sa.UniqueConstraint("id", name="uq_appointments_id"),
        sa.UniqueConstraint("hall_id", "code", name="uq_appointments_hall_id_code"),
        sa.UniqueConstraint(
            "hall_id", "idempotency_key", name="uq_appointments_hall_id_idempotency_key"
        ),
    )
    op.create_index("ix_appointments_slot", "appointments", ["hall_id", "service", "slot_start"])
    op.create_index("ix_appointments_day", "appointments", ["hall_id", "day"])


def downgrade() -> None:
    op.drop_index("ix_appointments_day", table_name="appointments")
    op.drop_index("ix_appointments_slot", table_name="appointments")
    op.drop_table("appointments")
    op.drop_table("service_booking")
    op.drop_table("booking_policies")
    op.drop_index("ix_tickets_queue", table_name="tickets")
    op.create_index("ix_tickets_queue", "tickets", [*QUEUE_COLUMNS, "issued_at", "pk"])
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("slot_at")
        batch.drop_column("queue_at")
