"""The ratings' SQL: one rating per ticket, who finished the ticket (from the audit log), the
ticket a window finished last, and the ratings of a range of days for the manager."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Row, desc, insert, select
from sqlalchemy.engine import Connection

from ..domain.clock import from_micros, to_micros
from ..domain.model import Hall, Status, Ticket
from ..domain.rating import Rating, Source
from ..live import protocol
from .database import Database
from .rows import TICKET_COLUMNS, ticket_from_row
from .schema import audit, ratings, tickets

MAX_LISTED = 1000  # the manager's list: the newest this many


def rating_from_row(row: Row[Any]) -> Rating:
    at = from_micros(row.at)
    assert at is not None
    return Rating(
        score=int(row.score), reasons=tuple(json.loads(row.reasons)), comment=row.comment,
        at=at, source=Source(row.source), number=row.number, day=row.day,
        service=row.service, window=row.window, staff=row.staff,
    )  # fmt: skip


def rating_of(conn: Connection, ticket_pk: int) -> Rating | None:
    row = conn.execute(select(ratings).where(ratings.c.ticket_pk == ticket_pk)).first()
    return rating_from_row(row) if row is not None else None


def finisher(conn: Connection, hall: Hall, ticket: Ticket) -> str | None:
    """The staff member who finished the ticket: the actor of the audit row of its
    ticket.finished event (same hall, number and instant). None when no named staff did."""
    if ticket.finished_at is None:
        return None
    actor = conn.execute(
        select(audit.c.actor)
        .where(
            audit.c.hall_id == hall.id,
            audit.c.at == to_micros(ticket.finished_at),
            audit.c.action == protocol.TICKET_FINISHED,
            audit.c.ticket == ticket.number,
        )
        .order_by(desc(audit.c.id))
        .limit(1)
    ).scalar()
    return str(actor) if actor is not None else None


def insert_rating(conn: Connection, hall: Hall, ticket: Ticket, rating: Rating) -> int:
    """Store the rating; its id (a follow-up refers to it)."""
    result = conn.execute(
        insert(ratings).values(
            hall_id=hall.id, ticket_pk=ticket.pk, day=ticket.day, number=ticket.number,
            service=ticket.service, window=ticket.window, staff=rating.staff,
            score=rating.score, reasons=json.dumps(list(rating.reasons)),
            comment=rating.comment, source=rating.source.value, at=to_micros(rating.at),
        )
    )  # fmt: skip
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _days(today: str) -> tuple[str, str]:
    return (date.fromisoformat(today) - timedelta(days=1)).isoformat(), today


def last_finished_at(conn: Connection, hall: Hall, window: int, today: str) -> Ticket | None:
    """The ticket the window finished last (served or not), among today's and yesterday's."""
    row = conn.execute(
        select(*TICKET_COLUMNS)
        .where(
            tickets.c.hall_id == hall.id,
            tickets.c.day.in_(_days(today)),
            tickets.c.window == window,
            tickets.c.finished_at.is_not(None),
            tickets.c.status.in_((Status.DONE.value, Status.NO_SHOW.value)),
        )
        .order_by(desc(tickets.c.finished_at), desc(tickets.c.pk))
        .limit(1)
    ).first()
    return ticket_from_row(row, hall.code) if row is not None else None


def called_since(conn: Connection, hall: Hall, window: int, today: str, finished: Ticket) -> bool:
    """Whether the window has called (or recalled) another ticket since `finished` finished:
    one that stands there now, or that it served or sent home since (ix_tickets_recent). A
    call-next that finishes one ticket and calls the next does both at the same instant."""
    assert finished.finished_at is not None
    found = conn.execute(
        select(tickets.c.pk)
        .where(
            tickets.c.hall_id == hall.id,
            tickets.c.day.in_(_days(today)),
            tickets.c.last_called_at >= to_micros(finished.finished_at),
            tickets.c.window == window,
            tickets.c.pk != finished.pk,
        )
        .limit(1)
    ).first()
    return found is not None


@dataclass(frozen=True, slots=True)
class WindowLatest:
    """The ticket a window finished last, whether it is rated, and whether the window has called
    someone since (then its screen no longer offers it)."""

    ticket: Ticket | None
    rated: bool = False
    moved_on: bool = False


def window_latest_of(conn: Connection, hall: Hall, window: int, today: str) -> WindowLatest:
    ticket = last_finished_at(conn, hall, window, today)
    if ticket is None:
        return WindowLatest(None)
    rated = rating_of(conn, ticket.pk) is not None
    return WindowLatest(ticket, rated, called_since(conn, hall, window, today, ticket))


@dataclass(frozen=True, slots=True)
class RatingFilter:
    """The manager's list: ticket days `first`…`last`, and optionally a score ceiling, service,
    window, staff member."""

    first: str
    last: str
    max_score: int | None = None
    service: str | None = None
    window: int | None = None
    staff: str | None = None


async def ratings_between(
    db: Database, hall: Hall, where: RatingFilter, limit: int | None = None
) -> list[Rating]:
    """The ratings of the tickets issued on those days, newest first."""
    r = ratings.c
    query = select(ratings).where(r.hall_id == hall.id, r.day >= where.first, r.day <= where.last)
    if where.max_score is not None:
        query = query.where(r.score <= where.max_score)
    if where.service is not None:
        query = query.where(r.service == where.service)
    if where.window is not None:
        query = query.where(r.window == where.window)
    if where.staff is not None:
        query = query.where(r.staff == where.staff)
    query = query.order_by(desc(r.at), desc(r.id))
    if limit is not None:
        query = query.limit(limit)
    return await db.run_read(lambda conn: [rating_from_row(row) for row in conn.execute(query)])


async def rating_of_ticket(db: Database, ticket: Ticket) -> Rating | None:
    return await db.run_read(lambda conn: rating_of(conn, ticket.pk))


async def window_latest(db: Database, hall: Hall, window: int, today: str) -> WindowLatest:
    """The ticket the window finished last, whether it is rated, whether the window moved on
    (one read)."""
    return await db.run_read(lambda conn: window_latest_of(conn, hall, window, today))
