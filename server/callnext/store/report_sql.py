"""The reports' reads: a hall's tickets over a range of local days."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ..domain.model import Hall, Ticket
from .database import Database
from .rows import TICKET_COLUMNS, ticket_from_row
from .schema import tickets


def tickets_between_in(conn: Connection, hall: Hall, first: str, last: str) -> list[Ticket]:
    """The tickets issued from local day `first` to `last` (both included), by day then in
    issue order; the range is a prefix scan of the unique (hall_id, day, number) index."""
    rows = conn.execute(
        select(*TICKET_COLUMNS)
        .where(tickets.c.hall_id == hall.id, tickets.c.day >= first, tickets.c.day <= last)
        .order_by(tickets.c.day, tickets.c.pk)
    )
    return [ticket_from_row(r, hall.code) for r in rows]


async def tickets_between(db: Database, hall: Hall, first: str, last: str) -> list[Ticket]:
    """The same, in one read transaction."""
    return await db.run_read(lambda conn: tickets_between_in(conn, hall, first, last))
