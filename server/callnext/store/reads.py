"""Read-side queries: the hall snapshot, tickets, the day's list and the event log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from .. import protocol
from ..domain.clock import from_micros, local_day, rfc3339, utcnow
from ..domain.errors import NotFound
from ..domain.model import Hall, Status, Ticket
from . import queue_sql
from .database import Database
from .rows import TICKET_COLUMNS, ticket_from_row
from .schema import events, halls, tickets

RECENT_CALLS = 10


async def hall_snapshot(db: Database, code: str) -> dict[str, Any]:
    """The hall object of the contract, read in one transaction so `seq` matches the state."""
    async with db.reader.connect() as conn, conn.begin():
        hall = await db.load_hall(conn, code)
        if hall is None:
            raise NotFound("hall_not_found", f"No hall {code!r}.")
        seq = (await conn.execute(select(halls.c.seq).where(halls.c.id == hall.id))).scalar_one()
        return await _snapshot(conn, hall, int(seq))


async def _snapshot(conn: AsyncConnection, hall: Hall, seq: int) -> dict[str, Any]:
    today = local_day(utcnow(), hall.timezone)
    counts = await queue_sql.waiting_counts(conn, hall)
    means = await queue_sql.mean_service_s(conn, hall, today)
    queues = queue_sql.service_estimates(hall, counts, means)
    current = {
        t.window: t
        for t in await _tickets_where(conn, hall, tickets.c.status == Status.CALLED.value)
    }
    recent_rows = await conn.execute(
        select(tickets.c.number, tickets.c.window, tickets.c.last_called_at)
        .where(
            tickets.c.hall_id == hall.id,
            tickets.c.day == today,
            tickets.c.last_called_at.is_not(None),
            tickets.c.window.is_not(None),  # a transferred ticket waits again: no call to show
        )
        .order_by(tickets.c.last_called_at.desc())
        .limit(RECENT_CALLS)
    )
    tz = hall.timezone
    return {
        **protocol.hall_header(hall, seq),
        "services": [
            {"code": s.code, "name": s.name, "name_en": s.name_en, "open": s.open, **queues[s.code]}
            for s in hall.services
        ],
        "windows": [
            {
                "number": w.number,
                "name": w.name,
                "services": list(w.services),
                "status": w.status.value,
                "pause_reason": w.pause_reason,
                "current": protocol.ticket_json(current[w.number], tz)
                if w.number in current
                else None,
            }
            for w in hall.windows
        ],
        "recent": [
            {
                "number": r.number,
                "window": r.window,
                "at": rfc3339(from_micros(r.last_called_at), tz),
            }
            for r in recent_rows
        ],
    }


async def _tickets_where(conn: AsyncConnection, hall: Hall, *where: Any) -> list[Ticket]:
    rows = await conn.execute(
        select(*TICKET_COLUMNS).where(tickets.c.hall_id == hall.id, *where).order_by(tickets.c.pk)
    )
    return [ticket_from_row(r, hall.code) for r in rows]


async def ticket_with_hall(db: Database, ticket_id: str) -> tuple[Ticket, Hall, dict[str, Any]]:
    """A ticket by its id, its hall, and its JSON (with `ahead` and `est_wait_s` if waiting)."""
    async with db.reader.connect() as conn, conn.begin():
        row = (
            await conn.execute(
                select(*TICKET_COLUMNS, halls.c.code.label("hall_code"))
                .join(halls, halls.c.id == tickets.c.hall_id)
                .where(tickets.c.id == ticket_id)
            )
        ).first()
        if row is None:
            raise NotFound("ticket_not_found", "No such ticket.")
        hall = await db.load_hall(conn, row.hall_code)
        assert hall is not None
        ticket = ticket_from_row(row, hall.code)
        ahead, est = await queue_sql.position(conn, hall, ticket)
        return ticket, hall, protocol.ticket_json(ticket, hall.timezone, ahead, est)


async def tickets_of_day(db: Database, hall: Hall, day: str) -> list[Ticket]:
    async with db.reader.connect() as conn:
        return await _tickets_where(conn, hall, tickets.c.day == day)


async def tickets_json_of_day(db: Database, hall: Hall, day: str) -> list[dict[str, Any]]:
    """Every ticket issued on `day`, in issue order, as the API shows them."""
    async with db.reader.connect() as conn, conn.begin():
        found = await _tickets_where(conn, hall, tickets.c.day == day)
        means = await queue_sql.mean_service_s(conn, hall, day)
        out = []
        for t in found:
            ahead, est = await queue_sql.position(conn, hall, t, means)
            out.append(protocol.ticket_json(t, hall.timezone, ahead, est))
        return out


async def events_after(
    db: Database, hall: Hall, after: int, limit: int = 1000
) -> list[tuple[int, str]]:
    """Stored frames with seq > `after`, in order (for `?since=` and gap repair)."""
    async with db.reader.connect() as conn:
        rows = await conn.execute(
            select(events.c.seq, events.c.frame)
            .where(events.c.hall_id == hall.id, events.c.seq > after)
            .order_by(events.c.seq)
            .limit(limit)
        )
        return [(int(r.seq), r.frame) for r in rows]


async def oldest_event_seq(db: Database, hall: Hall) -> int | None:
    async with db.reader.connect() as conn:
        value = (
            await conn.execute(select(func.min(events.c.seq)).where(events.c.hall_id == hall.id))
        ).scalar_one()
        return int(value) if value is not None else None


async def hall_seq(db: Database, hall: Hall) -> int:
    async with db.reader.connect() as conn:
        return int(
            (await conn.execute(select(halls.c.seq).where(halls.c.id == hall.id))).scalar_one()
        )
