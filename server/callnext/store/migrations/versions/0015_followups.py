"""the follow-up of each dissatisfied rating (差评回访), and the hall's followup_due_days;
ratings of 1–2 already stored get their follow-ups, due from their own dates

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-09 00:00:00
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"  # another branch adds a 0014: the merge re-chains this one after it
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
DUE_DAYS = 5  # the column's default, which every hall has right after this migration


def upgrade() -> None:
    with op.batch_alter_table("halls") as batch:
        batch.add_column(
            sa.Column("followup_due_days", sa.Integer(), nullable=False, server_default="5")
        )
    op.create_table(
        "followups",
        sa.Column("id", ID, nullable=False),
        sa.Column("hall_id", ID, nullable=False),
        sa.Column("rating_id", ID, nullable=False),
        sa.Column("opened_at", sa.BigInteger(), nullable=False),
        sa.Column("due", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("assignee", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("contacted_at", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("closed_at", sa.BigInteger(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["hall_id"], ["halls.id"], name="fk_followups_hall_id_halls", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["rating_id"],
            ["ratings.id"],
            name="fk_followups_rating_id_ratings",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_followups"),
        sa.UniqueConstraint("rating_id", name="uq_followups_rating_id"),
    )
    op.create_index("ix_followups_hall_state", "followups", ["hall_id", "state", "due"])
    _open_for_old_ratings(op.get_bind())


def _due(rated: date, closed: frozenset[str]) -> str:
    """DUE_DAYS working days after the rating's day (domain/followup.due_date, kept here so
    the migration stays as it was written when the domain changes)."""
    day, left = rated, DUE_DAYS
    while left:
        day += timedelta(days=1)
        left -= day.weekday() < 5 and day.isoformat() not in closed
    return day.isoformat()


def _open_for_old_ratings(conn: sa.Connection) -> None:
    """Every stored rating of 1–2 gets its follow-up, due from the rating's own hall-local date
    (not today): an old 差评 nobody followed up is overdue, as the office would count it."""
    halls = conn.execute(sa.text("SELECT id, timezone, closed_dates FROM halls")).all()
    for hall_id, tz, closed_dates in halls:
        closed = frozenset(json.loads(closed_dates or "[]"))
        rows = conn.execute(
            sa.text("SELECT id, at FROM ratings WHERE hall_id = :h AND score <= 2 ORDER BY id"),
            {"h": hall_id},
        ).all()
        values = [
            {"hall_id": hall_id, "rating_id": rating_id, "at": at,
             "due": _due(_local_day(at, tz), closed)}
            for rating_id, at in rows
        ]  # fmt: skip
        if values:
            conn.execute(
                sa.text(
                    "INSERT INTO followups (hall_id, rating_id, opened_at, due, state, updated_at)"
                    " VALUES (:hall_id, :rating_id, :at, :due, 'open', :at)"
                ),
                values,
            )


def _local_day(micros: int, tz: str) -> date:
    return datetime.fromtimestamp(micros / 1e6, ZoneInfo(tz)).date()


def downgrade() -> None:
    op.drop_index("ix_followups_hall_state", table_name="followups")
    op.drop_table("followups")
    with op.batch_alter_table("halls") as batch:
        batch.drop_column("followup_due_days")
