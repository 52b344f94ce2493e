"""The staff desk in SQL: who holds a window, and what the window's console reads (its queue,
its day, the hall's pending matters)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Executable, and_, case, func, or_, select, update
from sqlalchemy.engine import Connection

from ..domain.clock import to_micros
from ..domain.model import CallOrder, Desk, Hall, Status, Ticket
from ..domain.staffing import ACTED_S
from .rows import TICKET_COLUMNS, ticket_from_row
from .schema import QUEUE_ORDER, halls, sessions, tickets, windows

PENDING_LIMIT = 200


def set_window_desk(hall_id: int, number: int, desk: Desk) -> Executable:
    """The window is held by a session (hold `desk.id`) of `desk.user` from `desk.since` to
    `desk.until`; the window screen shows the user's name and staff number."""
    return (
        update(windows)
        .where(windows.c.hall_id == hall_id, windows.c.number == number)
        .values(
            desk_id=desk.id,
            desk_user=desk.user,
            desk_since=to_micros(desk.since),
            desk_until=to_micros(desk.until),
            desk_name=desk.name,
            desk_no=desk.staff_no,
        )
    )


_STAFFING_COLUMNS = (
    "desk_id", "desk_user", "desk_since", "desk_until", "desk_name", "desk_no", "acted_at",
    "acted_by",
)  # fmt: skip


def free_window(hall_id: int, number: int) -> Executable:
    """Nobody works at the window: no hold, no recent action without one."""
    return (
        update(windows)
        .where(windows.c.hall_id == hall_id, windows.c.number == number)
        .values(**dict.fromkeys(_STAFFING_COLUMNS))
    )


def note_action(hall_id: int, number: int, user: str | None, at: datetime) -> Executable:
    """Someone without a hold acted at the window (domain/staffing.py)."""
    return (
        update(windows)
        .where(windows.c.hall_id == hall_id, windows.c.number == number)
        .values(acted_at=to_micros(at), acted_by=user)
    )


def has_lapsed(conn: Connection, hall_code: str, now: datetime) -> bool:
    """Whether a window of the hall has a hold whose session expired, or a recent action that
    is no longer recent (the sweep has work)."""
    w = windows.c
    idle_before = to_micros(now - timedelta(seconds=ACTED_S))
    idle = and_(w.desk_id.is_(None), w.acted_at <= idle_before)
    lapsed = or_(w.desk_until <= to_micros(now), idle)
    query = (
        select(w.id)
        .join(halls, halls.c.id == w.hall_id)
        .where(halls.c.code == hall_code, lapsed)
        .limit(1)
    )
    return conn.execute(query).first() is not None


def remember_hold(
    conn: Connection, token_hash: str, window: int | None, desk_id: str | None
) -> None:
    """Note on the session which window it took (None: none)."""
    conn.execute(
        update(sessions)
        .where(sessions.c.token_hash == token_hash)
        .values(desk_window=window, desk_id=desk_id)
    )


def window_queue(
    conn: Connection,
    hall: Hall,
    services: tuple[str, ...],
    day: str,
    limit: int,
    order: CallOrder = CallOrder.QUEUE,
) -> tuple[int, list[Ticket]]:
    """The waiting tickets of `day` a window would call, in call order (a window that takes its
    services in order: each service's after the one before): (how many, the first `limit`)."""
    by_service = (
        [case({code: i for i, code in enumerate(services)}, value=tickets.c.service)]
        if order is CallOrder.SERVICES
        else []
    )
    where = (
        tickets.c.hall_id == hall.id,
        tickets.c.status == Status.WAITING.value,
        tickets.c.service.in_(list(services)),
        tickets.c.day == day,
    )
    query = select(*TICKET_COLUMNS).where(*where).order_by(*by_service, *QUEUE_ORDER).limit(limit)
    rows = conn.execute(query)
    head = [ticket_from_row(r, hall.code) for r in rows]
    if len(head) < limit:
        return len(head), head

    total = conn.execute(select(func.count()).where(*where)).scalar_one()
    return int(total), head


def day_tickets_at_windows(conn: Connection, hall: Hall, day: str) -> list[Ticket]:
    """Today's tickets that a window called (each at the window that has it now)."""
    rows = conn.execute(
        select(*TICKET_COLUMNS).where(
            tickets.c.hall_id == hall.id, tickets.c.day == day, tickets.c.window.is_not(None)
        )
    )
    return [ticket_from_row(r, hall.code) for r in rows]


def current_tickets(conn: Connection, hall: Hall) -> dict[int, Ticket]:
    """Each window's current (called, not finished) ticket, whatever day it was issued."""
    rows = conn.execute(
        select(*TICKET_COLUMNS).where(
            tickets.c.hall_id == hall.id, tickets.c.status == Status.CALLED.value
        )
    )
    found = (ticket_from_row(r, hall.code) for r in rows)
    return {t.window: t for t in found if t.window is not None}


def pending_matters(conn: Connection, hall: Hall) -> list[Ticket]:
    """The hall's tickets accepted as pending and not completed yet, oldest first."""
    rows = conn.execute(
        select(*TICKET_COLUMNS)
        .where(tickets.c.hall_id == hall.id, tickets.c.outcome == "pending")
        .order_by(tickets.c.finished_at, tickets.c.pk)
        .limit(PENDING_LIMIT)
    )
    return [ticket_from_row(r, hall.code) for r in rows]
