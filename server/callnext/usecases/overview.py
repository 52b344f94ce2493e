"""The region's halls side by side (docs/overview.md): every hall's day, or its last days, read
in one transaction of a fixed number of statements (store/overview_sql.py) and turned into rows
by domain/overview.py; trips per matter cut per hall by domain/trips.py."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Connection

from ..domain import overview, trips
from ..domain.clock import local_day
from ..domain.model import Json
from ..domain.overview import DayCounts, HallInfo, Live, Ratings, TripCounts
from ..domain.report import days_between
from ..domain.trips import RealNameTicket
from ..store import overview_sql
from ..store.database import Database
from ..store.overview_sql import HallDay


@dataclass(frozen=True, slots=True)
class Read:
    """What one overview read found: the halls, each one's days (first, last, today), and the
    counts by (hall id, day)."""

    halls: list[HallInfo]
    spans: dict[int, tuple[str, str, str]]
    counts: dict[HallDay, DayCounts]
    scores: dict[HallDay, Ratings]
    real_name: dict[int, list[RealNameTicket]]
    staffed: dict[int, int]


def read_all(conn: Connection, now: datetime, day: str | None, days: int) -> Read:
    """Every hall's `days` days ending with `day` (each hall's own today when None): five
    statements at most, whatever the number of halls (the windows only when a day is today)."""
    halls = overview_sql.all_halls(conn)
    spans: dict[int, tuple[str, str, str]] = {}
    for h in halls:
        today = local_day(now, h.timezone)
        last = day or today
        spans[h.id] = (_back(last, days - 1), last, today)
    if not halls:
        return Read(halls, spans, {}, {}, {}, {})
    first = min(s[0] for s in spans.values())
    last = max(s[1] for s in spans.values())
    ids = [h.id for h in halls]
    zones = {h.id: h.timezone for h in halls}
    live = any(s[1] == s[2] for s in spans.values())
    window = max(h.trips_window_days for h in halls)
    return Read(
        halls=halls,
        spans=spans,
        counts=overview_sql.day_counts(conn, zones, first, last, now),
        scores=overview_sql.rating_counts(conn, ids, first, last),
        real_name=overview_sql.real_name_tickets(conn, ids, first, last, window),
        staffed=overview_sql.staffed_windows(conn, now) if live else {},
    )


def _back(day: str, n: int) -> str:
    try:
        return (date.fromisoformat(day) - timedelta(days=n)).isoformat()
    except OverflowError:
        return date.min.isoformat()


def _trip_days(read: Read, hall: HallInfo) -> dict[str, TripCounts]:
    """The hall's matters begun on each day of its span: decided and one-trip counts."""
    first, last, today = read.spans[hall.id]
    rows = read.real_name.get(hall.id, [])
    out: dict[str, TripCounts] = {}
    for m in trips.matters_of(rows, hall.trips_window_days, today):
        if not first <= m.first_day <= last:
            continue
        counts = out.setdefault(m.first_day, TripCounts())
        if m.state is not trips.MatterState.OPEN:
            counts.decided += 1
        counts.one_trip += m.state is trips.MatterState.COMPLETED and m.trips == 1
    return out


def rows_of(read: Read, now: datetime) -> tuple[list[Json], Json]:
    """Each hall's row for its day (the span's last), and the region's totals."""
    rows, scores = [], []
    for hall in read.halls:
        _first, day, today = read.spans[hall.id]
        counts = read.counts.get((hall.id, day), DayCounts())
        score = read.scores.get((hall.id, day), Ratings())
        trip = _trip_days(read, hall).get(day, TripCounts())
        live = None
        if day == today:
            longest = overview.longest_wait_s(counts.oldest_waiting_us, now)
            live = Live(counts.waiting, longest, read.staffed.get(hall.id, 0))
        rows.append(overview.hall_row(hall, day, counts, score, trip, live))
        scores.append(score)
    return rows, overview.totals(rows, scores)


def series_of(read: Read) -> list[Json]:
    """Each hall's series: one entry per day of its span."""
    out = []
    for hall in read.halls:
        first, last, _today = read.spans[hall.id]
        trip_days = _trip_days(read, hall)
        whole = (DayCounts(), Ratings(), TripCounts())
        days = []
        for d in days_between(first, last):
            counts = read.counts.get((hall.id, d), DayCounts())
            scores = read.scores.get((hall.id, d), Ratings())
            trip = trip_days.get(d, TripCounts())
            days.append(overview.series_day(d, counts, scores, trip))
            overview.add_up(whole, counts, scores, trip)
        out.append({"hall": hall.code, "name": hall.name, "name_en": hall.name_en,
                    "from": first, "to": last, "days": days,
                    "range": overview.series_day(first, *whole) | {"date": None}})  # fmt: skip
    return out


async def day_table(
    db: Database, now: datetime, day: str | None, sort: str, order: str
) -> tuple[list[Json], Json]:
    """GET /api/v1/overview's rows, sorted, and the region's totals."""
    read = await db.run_read(lambda conn: read_all(conn, now, day, 1))
    rows, totals = await asyncio.to_thread(rows_of, read, now)
    return overview.sort_rows(rows, sort, order), totals


async def trend(db: Database, now: datetime, days: int, day: str | None = None) -> list[Json]:
    """GET /api/v1/overview/trend's series: each hall's `days` days ending with `day` (None:
    its own today)."""
    read = await db.run_read(lambda conn: read_all(conn, now, day, days))
    return await asyncio.to_thread(series_of, read)
