"""The follow-ups' SQL (差评回访): opened with a rating of 1–2, read with the rating they
follow, changed one at a time inside the hall's transaction, listed and counted for the manager,
and read by day for the reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, and_, desc, func, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from ..domain.clock import day_bounds, from_micros, local_day, to_micros
from ..domain.followup import CLOSED, Followup, State
from ..domain.model import Hall
from ..domain.rating import Rating
from .rating_sql import rating_from_row
from .schema import followups, ratings, users

MAX_LISTED = 500  # the manager's list: the newest this many
CLOSED_STATES = tuple(s.value for s in CLOSED)
OPEN_STATES = tuple(s.value for s in State if s not in CLOSED)
f = followups.c


@dataclass(frozen=True, slots=True)
class Listed:
    """A follow-up and the rating it follows (its ticket's number, service, window, staff)."""

    followup: Followup
    rating: Rating


def _followup(row: Row[Any]) -> Followup:
    opened_at, updated_at = from_micros(row.opened_at), from_micros(row.updated_at)
    assert opened_at is not None
    assert updated_at is not None
    return Followup(
        id=int(row.followup_id), state=State(row.state), opened_at=opened_at, due=row.due,
        updated_at=updated_at, assignee=row.assignee, note=row.note,
        contacted_at=from_micros(row.contacted_at), closed_at=from_micros(row.closed_at),
        closed_by=row.closed_by,
    )  # fmt: skip


_COLUMNS = (
    f.id.label("followup_id"), f.state, f.opened_at, f.due, f.updated_at, f.assignee, f.note,
    f.contacted_at, f.closed_at, f.closed_by, *ratings.c,
)  # fmt: skip
_JOINED = followups.join(ratings, ratings.c.id == f.rating_id)


def _listed(row: Row[Any]) -> Listed:
    return Listed(_followup(row), rating_from_row(row))


def insert_followup(conn: Connection, hall: Hall, rating_id: int, at: Any, due: str) -> int:
    """A new open follow-up of the rating; its id."""
    micros = to_micros(at)
    result = conn.execute(
        insert(followups).values(
            hall_id=hall.id, rating_id=rating_id, opened_at=micros, due=due,
            state=State.OPEN.value, updated_at=micros,
        )
    )  # fmt: skip
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def followup_in(conn: Connection, hall: Hall, followup_id: int) -> Listed | None:
    row = conn.execute(
        select(*_COLUMNS).select_from(_JOINED).where(f.hall_id == hall.id, f.id == followup_id)
    ).first()
    return _listed(row) if row is not None else None


def save(conn: Connection, changed: Followup) -> None:
    conn.execute(
        update(followups).where(f.id == changed.id).values(
            state=changed.state.value, assignee=changed.assignee, note=changed.note,
            contacted_at=to_micros(changed.contacted_at) if changed.contacted_at else None,
            closed_at=to_micros(changed.closed_at) if changed.closed_at else None,
            closed_by=changed.closed_by, updated_at=to_micros(changed.updated_at),
        )
    )  # fmt: skip


def account_names(conn: Connection, hall: Hall) -> list[str]:
    """The usernames a follow-up may be assigned to: the hall's accounts that are not disabled."""
    query = (
        select(users.c.username)
        .where(users.c.hall_id == hall.id, users.c.disabled.is_(False))
        .order_by(users.c.username)
    )
    return [str(name) for name in conn.execute(query).scalars()]


def _where(which: str, today: str) -> ColumnElement[bool] | None:
    if which == "open":
        return f.state.in_(OPEN_STATES)
    if which == "overdue":
        return and_(f.state.in_(OPEN_STATES), f.due < today)
    if which == "closed":
        return f.state.in_(CLOSED_STATES)
    return None  # all


def listed(conn: Connection, hall: Hall, which: str, today: str, limit: int) -> list[Listed]:
    """The hall's follow-ups in `which` (open, overdue, closed, all), newest first."""
    query = select(*_COLUMNS).select_from(_JOINED).where(f.hall_id == hall.id)
    condition = _where(which, today)
    if condition is not None:
        query = query.where(condition)
    query = query.order_by(desc(f.opened_at), desc(f.id)).limit(limit)
    return [_listed(row) for row in conn.execute(query)]


def counts(conn: Connection, hall: Hall, today: str) -> dict[str, int]:
    """How many are open (not closed, overdue or not), overdue, and closed."""
    still_open = f.state.in_(OPEN_STATES)
    row = conn.execute(
        select(
            func.count().filter(still_open),
            func.count().filter(and_(still_open, f.due < today)),
            func.count().filter(f.state.in_(CLOSED_STATES)),
        ).where(f.hall_id == hall.id)
    ).one()
    return {"open": int(row[0]), "overdue": int(row[1]), "closed": int(row[2])}


def of_tickets(conn: Connection, hall: Hall, first: str, last: str) -> dict[int, Followup]:
    """Ticket pk → its follow-up, for the tickets of days `first` to `last` (the exports)."""
    query = (
        select(*_COLUMNS)
        .select_from(_JOINED)
        .where(f.hall_id == hall.id, ratings.c.day >= first, ratings.c.day <= last)
    )
    return {int(row.ticket_pk): _followup(row) for row in conn.execute(query)}


def around_day(conn: Connection, hall: Hall, day: str) -> list[tuple[Followup, str, str | None]]:
    """The follow-ups that matter to `day`'s figures (opened by its end, not closed before it),
    each with its hall-local opened and closed days (domain/followup.day_counts)."""
    start, end = (to_micros(moment) for moment in day_bounds(day, hall.timezone))
    query = (
        select(*_COLUMNS)
        .select_from(_JOINED)
        .where(
            f.hall_id == hall.id,
            f.opened_at < end,
            or_(f.closed_at.is_(None), f.closed_at >= start),
        )
    )
    out = []
    for row in conn.execute(query):
        found = _followup(row)
        closed_day = local_day(found.closed_at, hall.timezone) if found.closed_at else None
        out.append((found, local_day(found.opened_at, hall.timezone), closed_day))
    return out
