"""The overview's reads (docs/overview.md): every hall's day, or days, summed by the database
with GROUP BY hall, in a fixed number of statements whatever the number of halls: the halls,
their windows, the tickets' counts, the ratings' counts and the real-name tickets of trips.

The tickets' range is read through the unique (hall_id, day, number) index, one seek per hall
(`hall_id IN (…) AND day BETWEEN …`). A ticket's "completed the same day" needs its hall's local
day's bounds: a CASE over the (timezone, day) pairs of the request, as few as its timezones
times its days, whatever the number of halls.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, and_, case, cast, func, or_, select, tuple_
from sqlalchemy.engine import Connection

from ..domain.clock import day_bounds, from_micros, to_micros
from ..domain.model import ClosedReason, Outcome, Status, Window
from ..domain.overview import DayCounts, HallInfo, Ratings
from ..domain.report import days_between
from ..domain.staffing import staffed
from ..domain.trips import RealNameTicket, last_window_day
from .rows import _desk
from .schema import halls, ratings, tickets, windows

t, h = tickets.c, halls.c
HallDay = tuple[int, str]  # (hall id, day)
STATUSES = {s.value: s for s in Status}
OUTCOMES: dict[str | None, Outcome | None] = {None: None, **{o.value: o for o in Outcome}}
REASONS: dict[str | None, ClosedReason | None] = {None: None, **{r.value: r for r in ClosedReason}}
TRIP_COLUMNS = (t.hall_id, t.pk, t.person, t.service, t.day, t.status, t.outcome, t.closed_reason)


def all_halls(conn: Connection) -> list[HallInfo]:
    """Every hall, by code, with its number of windows."""
    count = select(func.count()).where(windows.c.hall_id == h.id).correlate(halls).scalar_subquery()
    rows = conn.execute(
        select(
            h.id, h.code, h.name, h.name_en, h.timezone, h.promise_s, h.trips_window_days, count
        ).order_by(h.code)
    )
    return [HallInfo(*row) for row in rows]


def staffed_windows(conn: Connection, now: datetime) -> dict[int, int]:
    """Hall id → its windows staffed now (domain/staffing.py: a live hold, or a recent action)."""
    w = windows.c
    rows = conn.execute(
        select(
            w.hall_id,
            w.desk_id,
            w.desk_user,
            w.desk_name,
            w.desk_no,
            w.desk_since,
            w.desk_until,
            w.acted_at,
        ).where(or_(w.desk_id.is_not(None), w.acted_at.is_not(None)))
    )
    out: dict[int, int] = {}
    for row in rows:
        acted = from_micros(row.acted_at)
        window = Window(number=0, name="", services=(), desk=_desk(cast_any(row)), acted_at=acted)
        if staffed(window, now):
            out[row.hall_id] = out.get(row.hall_id, 0) + 1
    return out


def cast_any(row: Any) -> Any:
    return row


def _same_day(pairs: Iterable[tuple[str, str]]) -> ColumnElement[int]:
    """1 when the ticket was completed on its own local day (stats.completed_same_day)."""
    whens = []
    for tz, day in sorted(set(pairs)):
        start, end = (to_micros(b) for b in day_bounds(day, tz))
        whens.append((and_(h.timezone == tz, t.day == day, t.completed_at >= start,
                           t.completed_at < end), 1))  # fmt: skip
    return case(*whens, else_=0)


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def day_counts(
    conn: Connection,
    zones: dict[int, str],
    first: str,
    last: str,
    now: datetime,
) -> dict[HallDay, DayCounts]:
    """(hall id, day) → its counts, for the halls of `zones` (hall id → its timezone) and the
    days `first` to `last`; one statement."""
    if not zones:
        return {}
    days = days_between(first, last)
    pairs = [(tz, d) for tz in set(zones.values()) for d in days]
    served = and_(t.outcome.in_((Outcome.COMPLETED.value, Outcome.PENDING.value)),
                  t.finished_at.is_not(None))  # fmt: skip
    completed = t.outcome == Outcome.COMPLETED.value
    accepted = and_(
        t.finished_at.is_not(None),
        or_(t.outcome == Outcome.PENDING.value,
            and_(completed, t.completed_at.is_not(None), t.completed_at > t.finished_at)),
    )  # fmt: skip
    due = t.finished_at + cast(h.promise_s, BigInteger) * 1_000_000  # int32 × 10⁶ overflows
    waiting = t.status == Status.WAITING.value
    query = (
        select(
            t.hall_id, t.day, func.count(), _count(served),
            func.sum(case((and_(served, completed), _same_day(pairs)), else_=0)),
            _count(and_(accepted, completed, t.completed_at <= due)),
            _count(and_(accepted, completed, t.completed_at > due)),
            _count(and_(accepted, t.outcome == Outcome.PENDING.value, due < to_micros(now))),
            _count(waiting), func.min(case((waiting, t.issued_at), else_=None)),
        )
        .select_from(tickets.join(halls, halls.c.id == t.hall_id))
        .where(t.hall_id.in_(list(zones)), t.day >= first, t.day <= last)
        .group_by(t.hall_id, t.day)
    )  # fmt: skip
    out: dict[HallDay, DayCounts] = {}
    for hall_id, day, *values in conn.execute(query):
        issued, served, same_day, in_time, late, overdue, waiting, oldest = values
        out[(hall_id, day)] = DayCounts(
            issued=int(issued), served=int(served or 0), completed_same_day=int(same_day or 0),
            promise_in_time=int(in_time or 0), promise_late=int(late or 0),
            promise_overdue=int(overdue or 0), waiting=int(waiting or 0),
            oldest_waiting_us=None if oldest is None else int(oldest),
        )  # fmt: skip
    return out


def rating_counts(
    conn: Connection, hall_ids: list[int], first: str, last: str
) -> dict[HallDay, Ratings]:
    """(hall id, day) → its ratings' counts by score (the ticket's day, as the reports count
    them); one statement through ix_ratings_hall_day."""
    r = ratings.c
    rows = conn.execute(
        select(r.hall_id, r.day, r.score, func.count())
        .where(r.hall_id.in_(hall_ids), r.day >= first, r.day <= last)
        .group_by(r.hall_id, r.day, r.score)
    )
    out: dict[HallDay, Ratings] = {}
    for hall_id, day, score, count in rows:
        out.setdefault((hall_id, day), Ratings()).add(int(score), int(count))
    return out


def real_name_tickets(
    conn: Connection, hall_ids: list[int], first: str, last: str, window_days: int
) -> dict[int, list[RealNameTicket]]:
    """Hall id → the real-name tickets of every person with one in days `first` to `last` in
    that hall, from their first up to `last` + `window_days` (trips_sql.real_name_tickets_in,
    for many halls in one statement: the persons' tickets through ix_tickets_person)."""
    until = last_window_day(last, window_days)
    persons = select(t.hall_id, t.person).where(
        t.hall_id.in_(hall_ids), t.day >= first, t.day <= last, t.person.is_not(None)
    )
    rows = conn.execute(
        select(*TRIP_COLUMNS).where(tuple_(t.hall_id, t.person).in_(persons), t.day <= until)
    )
    out: dict[int, list[RealNameTicket]] = {}
    for hall_id, pk, person, service, day, status, outcome, reason in rows:
        out.setdefault(hall_id, []).append(
            RealNameTicket(pk, person, service, day, STATUSES[status], OUTCOMES[outcome],
                           REASONS[reason])  # a dict's lookup, not Enum(value), per row
        )  # fmt: skip
    return out
