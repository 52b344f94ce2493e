"""Reading the audit log: who changed what, and every staff action, by hall and local day."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ..domain.clock import day_bounds, from_micros, rfc3339, to_micros
from ..domain.model import Hall
from .database import Database
from .schema import audit

MAX_ENTRIES = 5000


async def audit_of_day(
    db: Database, hall: Hall, day: str, actor: str | None = None, limit: int = 1000
) -> list[dict[str, Any]]:
    """The day's entries (hall-local day), newest first; only `actor`'s when given."""
    start, end = day_bounds(day, hall.timezone)
    query = (
        select(audit)
        .where(
            audit.c.hall_id == hall.id,
            audit.c.at >= to_micros(start),
            audit.c.at < to_micros(end),
        )
        .order_by(audit.c.at.desc(), audit.c.id.desc())
        .limit(min(limit, MAX_ENTRIES))
    )
    if actor is not None:
        query = query.where(audit.c.actor == actor)

    def body(conn: Connection) -> list[dict[str, Any]]:
        return [
            {
                "at": rfc3339(from_micros(r.at), hall.timezone),
                "actor": r.actor,
                "action": r.action,
                "window": r.window,
                "ticket": r.ticket,
                "detail": json.loads(r.detail),
            }
            for r in conn.execute(query)
        ]

    return await db.run_read(body)
