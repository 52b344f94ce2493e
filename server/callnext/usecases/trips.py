"""Trips per matter (一次办结率) for the reports: the matters begun on a day or in a range, read
once (store/trips_sql.py) and cut and counted by domain/trips.py (docs/reports.md)."""

from __future__ import annotations

import asyncio

from ..domain import trips
from ..domain.clock import local_day, utcnow
from ..domain.model import Hall, Json
from ..domain.trips import Matter
from ..store import trips_sql
from ..store.database import Database


async def matters_between(db: Database, hall: Hall, first: str, last: str) -> list[Matter]:
    """Every matter of the persons with a real-name ticket from `first` to `last`, as of now
    (open or unfinished by the hall's day today); begun in the range or before it."""
    window = hall.trips_window_days
    rows = await db.run_read(
        lambda conn: trips_sql.real_name_tickets_in(conn, hall, first, last, window)
    )
    today = local_day(utcnow(), hall.timezone)
    return await asyncio.to_thread(trips.matters_of, rows, window, today)


def range_json(hall: Hall, matters: list[Matter], first: str, last: str) -> Json:
    """The figures of the matters begun from `first` to `last`: the hall's and per service."""
    begun = trips.begun_between(matters, first, last)
    return trips.trips_figures(begun, hall.trips_window_days)


async def add_day_figures(db: Database, hall: Hall, day: str, figures: Json) -> None:
    """The day's statistics or report with `trips`: the matters begun that day."""
    figures["trips"] = range_json(hall, await matters_between(db, hall, day, day), day, day)


def day_entry(matters: list[Matter], day: str) -> Json:
    """A trend day's trips: matters begun that day, one-trip ones, and the one-trip rate."""
    fig = trips.figures(trips.begun_between(matters, day, day))
    return {name: fig[name] for name in ("matters", "one_trip", "one_trip_rate")}
