"""Pruning the display stream's event log: its events serve the displays' `?since=` replays
and the hub's gap repair, which need minutes of it, not years. The tickets and the audit log
are the hall's history; the log keeps Settings.event_log_days of events.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from ..domain.model import Hall
from .database import Database
from .schema import events

BATCH = 2000  # events deleted per write transaction: the writer is never held long


async def prune(db: Database, hall: Hall, before_micros: int, batch: int = BATCH) -> int:
    """Delete the hall's events stamped before `before_micros`, oldest first, a batch per
    write transaction (each batch found through the primary key: the oldest `batch` seqs);
    how many were deleted. A hall with nothing to prune costs one read, not a write."""
    first = select(events.c.at).where(events.c.hall_id == hall.id).order_by(events.c.seq).limit(1)
    oldest = await db.run_read(lambda conn: conn.execute(first).scalar())
    if oldest is None or oldest >= before_micros:
        return 0
    deleted = 0
    while True:
        count = await db.run_write(lambda conn: _prune_batch(conn, hall.id, before_micros, batch))
        deleted += count
        if count < batch:
            return deleted


def _prune_batch(conn: Connection, hall_id: int, before_micros: int, batch: int) -> int:
    oldest = (
        select(events.c.seq, events.c.at)
        .where(events.c.hall_id == hall_id)
        .order_by(events.c.seq)
        .limit(batch)
    )
    old = [seq for seq, at in conn.execute(oldest) if at < before_micros]
    if not old:
        return 0
    result = conn.execute(
        delete(events).where(
            events.c.hall_id == hall_id, events.c.seq <= max(old), events.c.at < before_micros
        )
    )
    return int(result.rowcount)
