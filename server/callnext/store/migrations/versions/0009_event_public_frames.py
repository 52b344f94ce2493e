"""the event log keeps each frame's /ws/v2 text too (a replay sends it as stored, never
re-encoded); the events already stored get theirs where it differs from the /ws/v1 text

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from callnext.live.protocol import public_text

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade() -> None:
    op.add_column("events", sa.Column("public", sa.Text(), nullable=True))
    events = sa.table(
        "events", sa.column("hall_id"), sa.column("seq"), sa.column("frame"), sa.column("public")
    )
    conn = op.get_bind()
    after: tuple[int, int] = (-1, -1)
    while True:
        rows = conn.execute(
            sa.select(events.c.hall_id, events.c.seq, events.c.frame)
            .where(sa.tuple_(events.c.hall_id, events.c.seq) > sa.tuple_(*after))
            .order_by(events.c.hall_id, events.c.seq)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        changed = [
            {"h": hall_id, "s": seq, "p": public}
            for hall_id, seq, frame in rows
            if (public := public_text(frame)) != frame
        ]
        if changed:
            conn.execute(
                events.update()
                .where(events.c.hall_id == sa.bindparam("h"), events.c.seq == sa.bindparam("s"))
                .values(public=sa.bindparam("p")),
                changed,
            )
        after = (rows[-1][0], rows[-1][1])


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("public")
