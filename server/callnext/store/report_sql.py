"""The reports' reads: a hall's tickets over a range of local days (and, for the exports, who
served each one, its rating and the rating's follow-up)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ..domain.clock import to_micros
from ..domain.followup import Followup
from ..domain.model import Hall, Ticket
from ..live import protocol
from . import followup_sql
from .database import Database
from .rows import TICKET_COLUMNS, ticket_from_row
from .schema import audit, ratings, tickets

# The audit rows that name who served a ticket: who finished it, else who called it last.
SERVED_BY = (protocol.TICKET_FINISHED, protocol.TICKET_CALLED, protocol.TICKET_RECALLED)


@dataclass(frozen=True, slots=True)
class Served:
    """Who served a ticket (a username, or None: nobody named) and its rating's score."""

    staff: str | None = None
    rating: int | None = None
    followup: Followup | None = None  # a 差评's follow-up (差评回访)


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


def _times(ticket: Ticket) -> list[int]:
    """The instants (µs) of the staff actions that may name who served the ticket, best first."""
    moments = (ticket.finished_at, ticket.last_called_at, ticket.called_at)
    return [to_micros(m) for m in moments if m is not None]


def served_in(
    conn: Connection, hall: Hall, first: str, last: str, tickets_: Sequence[Ticket]
) -> dict[int, Served]:
    """Ticket pk → who served it (the actor of its finish, else of its last call, from the audit
    log) and its rating, for the tickets of days `first` to `last`."""
    times = [t for ticket in tickets_ for t in _times(ticket)]
    actors: dict[tuple[str, int], str] = {}
    if times:
        rows = conn.execute(
            select(audit.c.ticket, audit.c.at, audit.c.actor).where(
                audit.c.hall_id == hall.id,
                audit.c.at >= min(times),
                audit.c.at <= max(times),
                audit.c.action.in_(SERVED_BY),
                audit.c.actor.is_not(None),
            )
        )
        actors = {(str(r.ticket), int(r.at)): str(r.actor) for r in rows}
    scores = {
        int(r.ticket_pk): (int(r.score), r.staff)
        for r in conn.execute(
            select(ratings.c.ticket_pk, ratings.c.score, ratings.c.staff).where(
                ratings.c.hall_id == hall.id, ratings.c.day >= first, ratings.c.day <= last
            )
        )
    }
    out: dict[int, Served] = {}
    followed = followup_sql.of_tickets(conn, hall, first, last)
    for ticket in tickets_:
        named = (actors.get((ticket.number, at)) for at in _times(ticket))
        staff = next((a for a in named if a), None)
        score, rated_staff = scores.get(ticket.pk, (None, None))
        if staff or score is not None:
            out[ticket.pk] = Served(staff or rated_staff, score, followed.get(ticket.pk))
    return out


async def served_between(
    db: Database, hall: Hall, first: str, last: str
) -> tuple[list[Ticket], dict[int, Served]]:
    """The tickets of days `first` to `last` and who served each one, in one read."""

    def read(conn: Connection) -> tuple[list[Ticket], dict[int, Served]]:
        found = tickets_between_in(conn, hall, first, last)
        return found, served_in(conn, hall, first, last, found)

    return await db.run_read(read)
