"""Read-side queries: the hall snapshot, tickets, the day's list and the event log.

Each public function runs one read transaction (a consistent view) through Database.run_read.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.engine import Connection

from ..domain import lifecycle
from ..domain.clock import from_micros, local_day, rfc3339, to_micros, utcnow
from ..domain.errors import NotFound
from ..domain.model import Hall, Status, Ticket
from ..domain.staffing import staffed
from ..live import protocol
from . import queue_sql
from .database import Database
from .rows import TICKET_COLUMNS, ticket_from_row
from .schema import events, halls, tickets, windows

RECENT_CALLS = 10


def _hall(db: Database, conn: Connection, code: str) -> tuple[Hall, int]:
    """The hall's configuration and its seq, as of this transaction."""
    row = conn.execute(
        select(halls.c.seq, halls.c.config_version).where(halls.c.code == code)
    ).first()
    hall = db.load_hall(conn, code, row.config_version) if row is not None else None
    if row is None or hall is None:
        raise NotFound("hall_not_found", f"No hall {code!r}.")
    return hall, int(row.seq)


def _tickets(conn: Connection, hall: Hall, *where: ColumnElement[bool]) -> list[Ticket]:
    rows = conn.execute(
        select(*TICKET_COLUMNS).where(tickets.c.hall_id == hall.id, *where).order_by(tickets.c.pk)
    )
    return [ticket_from_row(r, hall.code) for r in rows]


def _snapshot(db: Database, conn: Connection, code: str) -> dict[str, Any]:
    hall, seq = _hall(db, conn, code)
    now = utcnow()
    today = local_day(now, hall.timezone)
    means = queue_sql.mean_service_s(conn, hall, today)
    issued = queue_sql.issued_counts(conn, hall, today)
    queues = queue_sql.service_states(conn, hall, now, means, issued)
    tz = hall.timezone
    current = {
        t.window: protocol.ticket_json(t, tz)
        for t in _tickets(conn, hall, tickets.c.status == Status.CALLED.value)
    }
    recent = conn.execute(
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
    return {
        **protocol.hall_header(hall, seq),
        "notice": hall.notice,
        "notice_en": hall.notice_en,
        "services": [
            {
                "code": s.code,
                "name": s.name,
                "name_en": s.name_en,
                "priority_allowed": s.priority_allowed,
                "daily_quota": s.daily_quota,
                "real_name": s.real_name,  # the kiosk asks for an ID number first
                **queues[s.code],
            }
            for s in hall.services
        ],
        "windows": [protocol.window_json(w, current.get(w.number), tz, now) for w in hall.windows],
        "recent": [
            {
                "number": r.number,
                "window": r.window,
                "at": rfc3339(from_micros(r.last_called_at), tz),
            }
            for r in recent
        ],
    }


async def hall_snapshot(db: Database, code: str) -> dict[str, Any]:
    """The hall object of the contract; its `seq` is the state it shows."""
    return await db.run_read(lambda conn: _snapshot(db, conn, code))


async def ticket_with_hall(db: Database, ticket_id: str) -> tuple[Ticket, Hall, dict[str, Any]]:
    """A ticket by its id, its hall, and its JSON (with `ahead` and `est_wait_s` if waiting)."""

    def body(conn: Connection) -> tuple[Ticket, Hall, dict[str, Any]]:
        row = conn.execute(
            select(*TICKET_COLUMNS, halls.c.code.label("hall_code"))
            .join(halls, halls.c.id == tickets.c.hall_id)
            .where(tickets.c.id == ticket_id)
        ).first()
        if row is None:
            raise NotFound("ticket_not_found", "No such ticket.")
        hall, _seq = _hall(db, conn, row.hall_code)
        now = utcnow()
        ticket = lifecycle.as_of(
            ticket_from_row(row, hall.code), local_day(now, hall.timezone), hall.timezone
        )
        ahead, est = queue_sql.position(conn, hall, ticket, now=now)
        late = hall.past_closing(ticket.service, now, est)
        return ticket, hall, protocol.ticket_json(ticket, hall.timezone, ahead, est, late)

    return await db.run_read(body)


async def live_figures(db: Database, code: str) -> dict[str, Any]:
    """What /metrics shows of a hall now: waiting and the oldest wait per service, windows by
    status, pending matters and how many are past the promise."""

    def body(conn: Connection) -> dict[str, Any]:
        hall, seq = _hall(db, conn, code)
        now = utcnow()
        t = tickets.c
        today = local_day(now, hall.timezone)
        rows = conn.execute(
            select(t.service, func.count(), func.min(t.issued_at))
            .where(t.hall_id == hall.id, t.status == Status.WAITING.value, t.day == today)
            .group_by(t.service)
        )
        waiting = {s.code: (0, 0.0) for s in hall.services}
        for service, count, oldest in rows:
            waiting[service] = (int(count), max(0.0, (to_micros(now) - int(oldest)) / 1e6))
        overdue_before = to_micros(now) - hall.promise_s * 1_000_000
        pending = conn.execute(
            select(func.count(), func.count().filter(t.finished_at < overdue_before)).where(
                t.hall_id == hall.id, t.outcome == "pending"
            )
        ).one()
        statuses: dict[str, int] = {}
        for w in hall.windows:
            statuses[w.status.value] = statuses.get(w.status.value, 0) + 1
        return {
            "seq": seq,
            "waiting": waiting,
            "windows": statuses,
            "staffed": sum(1 for w in hall.windows if staffed(w, now)),
            "pending": int(pending[0]),
            "overdue": int(pending[1]),
        }

    return await db.run_read(body)


async def has_waiting_before(db: Database, hall: Hall, day: str) -> bool:
    """Whether a ticket issued before `day` still waits (the day rollover has work)."""
    query = select(tickets.c.pk).where(
        tickets.c.hall_id == hall.id,
        tickets.c.status == Status.WAITING.value,
        tickets.c.day < day,
    )
    return await db.run_read(lambda conn: conn.execute(query.limit(1)).first() is not None)


async def tickets_of_day(db: Database, hall: Hall, day: str) -> list[Ticket]:
    return await db.run_read(lambda conn: _tickets(conn, hall, tickets.c.day == day))


async def tickets_json_of_day(db: Database, hall: Hall, day: str) -> list[dict[str, Any]]:
    """Every ticket issued on `day`, in issue order, as the API shows them."""

    def body(conn: Connection) -> list[dict[str, Any]]:
        now = utcnow()
        today = local_day(now, hall.timezone)
        means = queue_sql.mean_service_s(conn, hall, today)
        estimates = queue_sql.queue_estimates(conn, hall, now, means)
        out = []
        for row in _tickets(conn, hall, tickets.c.day == day):
            t = lifecycle.as_of(row, today, hall.timezone)
            ahead, est = queue_sql.position(conn, hall, t, estimates, now)
            late = hall.past_closing(t.service, now, est)
            out.append(protocol.ticket_json(t, hall.timezone, ahead, est, late))
        return out

    return await db.run_read(body)


async def events_after(
    db: Database, hall: Hall, after: int, limit: int = 1000, public: bool = False
) -> list[tuple[int, str]]:
    """Stored frames with seq > `after`, in order (for `?since=` and gap repair): the text
    /ws/v1 sends, or with `public` the text /ws/v2 sends, each as stored (never re-encoded)."""
    text = func.coalesce(events.c.public, events.c.frame) if public else events.c.frame

    def body(conn: Connection) -> list[tuple[int, str]]:
        rows = conn.execute(
            select(events.c.seq, text)
            .where(events.c.hall_id == hall.id, events.c.seq > after)
            .order_by(events.c.seq)
            .limit(limit)
        )
        return [(int(seq), frame) for seq, frame in rows]

    return await db.run_read(body)


async def log_bounds(db: Database, hall: Hall) -> tuple[int, int | None]:
    """The hall's current seq and the oldest seq still in its event log (None if empty)."""

    def body(conn: Connection) -> tuple[int, int | None]:
        seq = conn.execute(select(halls.c.seq).where(halls.c.id == hall.id)).scalar_one()
        oldest = conn.execute(
            select(func.min(events.c.seq)).where(events.c.hall_id == hall.id)
        ).scalar_one()
        return int(seq), None if oldest is None else int(oldest)

    return await db.run_read(body)


async def was_called(db: Database, number: str, window: int) -> bool:
    """Whether a hall with that window called a ticket with that number in the last days
    (the days around today in any timezone): the calls whose announcement may be rendered."""
    today = utcnow().date()
    days = [(today + timedelta(days=d)).isoformat() for d in (-2, -1, 0, 1)]
    query = (
        select(tickets.c.pk)
        .join(windows, and_(windows.c.hall_id == tickets.c.hall_id, windows.c.number == window))
        .where(
            tickets.c.number == number,
            tickets.c.day.in_(days),
            tickets.c.called_at.is_not(None),
        )
        .limit(1)
    )
    return await db.run_read(lambda conn: conn.execute(query).first() is not None)
