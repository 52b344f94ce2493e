"""The region's halls side by side (docs/overview.md), pure: each hall's day as counts read
in bulk (store/overview_sql.py), turned into the overview's row, its cues, the region's totals,
the sort, and a hall's 30-day series. The rates are those of the hall's own reports: the same
definitions (stats.py, report.py, trips.py, rating.py) on counts summed by the database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import rating
from .errors import Invalid
from .model import Json

LONG_WAIT_S = 30 * 60  # a longest wait now at or above this is a long wait (the cue)
LOW_RATES = {  # a rate below its floor is low (the cue), once MIN_SAMPLE decide it
    "same_day_completion_rate": 0.9,
    "promise_met_rate": 0.9,
    "one_trip_rate": 0.8,
    "satisfied_rate": 0.9,
}
MIN_SAMPLE = 5  # a rate over fewer matters than this gets no cue: too few to judge a hall by
TREND_DAYS = (1, 90)  # GET /api/v1/overview/trend?days=: the days of the series, default 30
DEFAULT_TREND_DAYS = 30
SORT_FIELDS = (
    "hall", "name", "waiting", "longest_wait_s", "staffed_windows", "windows", "issued",
    "served", "same_day_completion_rate", "promise_met_rate", "one_trip_rate", "ratings",
    "satisfaction_avg", "satisfied_rate",
)  # fmt: skip
ORDERS = ("asc", "desc")


@dataclass(slots=True)
class DayCounts:
    """A hall's day, summed by the database over the tickets issued that day."""

    issued: int = 0
    served: int = 0  # finished completed or pending (stats.is_served)
    completed_same_day: int = 0  # stats.completed_same_day
    promise_in_time: int = 0  # report.promise_met: completed within the promise
    promise_late: int = 0  # … completed after it
    promise_overdue: int = 0  # … still pending past it
    waiting: int = 0  # still waiting now (a past day's: none, the rollover closed them)
    oldest_waiting_us: int | None = None  # the earliest issue among them (µs)


@dataclass(slots=True)
class Ratings:
    """The ratings of a hall's day: how many of each score."""

    by_score: dict[int, int] = field(default_factory=dict)

    def add(self, score: int, count: int) -> None:
        self.by_score[score] = self.by_score.get(score, 0) + count


@dataclass(slots=True)
class TripCounts:
    """The matters begun on a day (trips.figures): decided ones and those done in one trip."""

    decided: int = 0  # completed + unfinished
    one_trip: int = 0


@dataclass(frozen=True, slots=True)
class HallInfo:
    """What the overview shows of a hall's configuration."""

    id: int
    code: str
    name: str
    name_en: str
    timezone: str
    promise_s: int
    trips_window_days: int
    windows: int


@dataclass(frozen=True, slots=True)
class Live:
    """The hall now: how many wait, the longest wait (s), staffed windows."""

    waiting: int
    longest_wait_s: int | None
    staffed_windows: int


def rate(part: int, whole: int) -> float | None:
    """A share to four places, as the reports give it; None over nothing."""
    return round(part / whole, 4) if whole else None


def promise_decided(c: DayCounts) -> int:
    return c.promise_in_time + c.promise_late + c.promise_overdue


def longest_wait_s(oldest_us: int | None, now: datetime) -> int | None:
    """Seconds the longest-waiting ticket has waited at `now` (report.longest_waiting)."""
    if oldest_us is None:
        return None
    now_us = int(now.timestamp() * 1_000_000)
    return max(0, round((now_us - oldest_us) / 1_000_000))


def hall_row(
    hall: HallInfo,
    day: str,
    counts: DayCounts,
    scores: Ratings,
    trip: TripCounts,
    live: Live | None,
) -> Json:
    """One hall's row of the overview: `live` None for a past day (its live figures null)."""
    sat = rating.satisfaction_of_counts(scores.by_score)
    row: Json = {
        "hall": hall.code,
        "name": hall.name,
        "name_en": hall.name_en,
        "timezone": hall.timezone,
        "date": day,
        "dashboard": f"/halls/{hall.code}/dashboard",
        "waiting": live.waiting if live else None,
        "longest_wait_s": live.longest_wait_s if live else None,
        "staffed_windows": live.staffed_windows if live else None,
        "windows": hall.windows,
        "issued": counts.issued,
        "served": counts.served,
        "completed_same_day": counts.completed_same_day,
        "same_day_completion_rate": rate(counts.completed_same_day, counts.served),
        "promise_decided": promise_decided(counts),
        "promise_in_time": counts.promise_in_time,
        "promise_met_rate": rate(counts.promise_in_time, promise_decided(counts)),
        "matters_decided": trip.decided,
        "one_trip": trip.one_trip,
        "one_trip_rate": rate(trip.one_trip, trip.decided),
        "ratings": sat["n"],
        "satisfaction_avg": sat["avg"],
        "satisfied_rate": sat["satisfied_rate"],
    }
    row["cues"] = cues(row)
    return row


# The count under each rate: a rate decided by fewer than MIN_SAMPLE gets no cue.
SAMPLE_OF = {
    "same_day_completion_rate": "served",
    "promise_met_rate": "promise_decided",
    "one_trip_rate": "matters_decided",
    "satisfied_rate": "ratings",
}


def cues(row: Json) -> list[str]:
    """What the page marks (in colour and in words): `long_wait` when the longest wait now is
    LONG_WAIT_S or more, `low_<rate>` when a rate is under its floor (LOW_RATES) over at least
    MIN_SAMPLE."""
    out = []
    longest = row.get("longest_wait_s")
    if longest is not None and longest >= LONG_WAIT_S:
        out.append("long_wait")
    for name, floor in LOW_RATES.items():
        value = row.get(name)
        if value is not None and value < floor and row.get(SAMPLE_OF[name], 0) >= MIN_SAMPLE:
            out.append(f"low_{name.removesuffix('_rate')}")
    return out


def totals(rows: Sequence[Json], scores: Iterable[Ratings]) -> Json:
    """The region: counts added up, each rate over the region's pooled counts (not a mean of
    the halls' rates), the live figures over the halls that have them."""

    def total(name: str) -> int:
        return sum(int(r[name] or 0) for r in rows)

    pooled = Ratings()
    for s in scores:
        for score, n in s.by_score.items():
            pooled.add(score, n)
    sat = rating.satisfaction_of_counts(pooled.by_score)
    live = [r for r in rows if r["waiting"] is not None]
    longest = [r["longest_wait_s"] for r in live if r["longest_wait_s"] is not None]
    return {
        "halls": len(rows),
        "waiting": sum(r["waiting"] for r in live) if live else None,
        "longest_wait_s": max(longest) if longest else None,
        "staffed_windows": sum(r["staffed_windows"] for r in live) if live else None,
        "windows": total("windows"),
        "issued": total("issued"),
        "served": total("served"),
        "completed_same_day": total("completed_same_day"),
        "same_day_completion_rate": rate(total("completed_same_day"), total("served")),
        "promise_decided": total("promise_decided"),
        "promise_in_time": total("promise_in_time"),
        "promise_met_rate": rate(total("promise_in_time"), total("promise_decided")),
        "matters_decided": total("matters_decided"),
        "one_trip": total("one_trip"),
        "one_trip_rate": rate(total("one_trip"), total("matters_decided")),
        "ratings": sat["n"],
        "satisfaction_avg": sat["avg"],
        "satisfied_rate": sat["satisfied_rate"],
    }


def sort_key(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def sort_rows(rows: list[Json], by: str, order: str) -> list[Json]:
    """The rows by `by` (one of SORT_FIELDS; 400 bad_sort otherwise) in `order` (asc, desc;
    400 bad_order), a null last either way, ties by the hall's code."""
    if by not in SORT_FIELDS:
        raise Invalid("bad_sort", f"sort must be one of {', '.join(SORT_FIELDS)}.")
    if order not in ORDERS:
        raise Invalid("bad_order", "order must be asc or desc.")
    ordered = sorted(rows, key=lambda r: r["hall"])
    known = [r for r in ordered if r[by] is not None]
    unknown = [r for r in ordered if r[by] is None]
    known.sort(key=lambda r: sort_key(r[by]), reverse=order == "desc")
    return known + unknown


def series_day(day: str, counts: DayCounts, scores: Ratings, trip: TripCounts) -> Json:
    """One day of a hall's trend: issued, served, the same-day completion, one-trip and
    satisfaction figures (a day without tickets: zero counts, null rates)."""
    sat = rating.satisfaction_of_counts(scores.by_score)
    return {
        "date": day,
        "issued": counts.issued,
        "served": counts.served,
        "same_day_completion_rate": rate(counts.completed_same_day, counts.served),
        "one_trip_rate": rate(trip.one_trip, trip.decided),
        "ratings": sat["n"],
        "satisfaction_avg": sat["avg"],
        "satisfied_rate": sat["satisfied_rate"],
    }


def add_up(
    into: tuple[DayCounts, Ratings, TripCounts], counts: DayCounts, scores: Ratings,
    trip: TripCounts,
) -> None:  # fmt: skip
    """A day's counts added to a range's (`into`): its series' `range`, pooled over the days."""
    whole, pooled, trips = into
    whole.issued += counts.issued
    whole.served += counts.served
    whole.completed_same_day += counts.completed_same_day
    for score, n in scores.by_score.items():
        pooled.add(score, n)
    trips.decided += trip.decided
    trips.one_trip += trip.one_trip
