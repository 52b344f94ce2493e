"""Trips per matter (一次办结率), pure: a person's real-name tickets of a service cut into
matters, and the figures over them. docs/reports.md ("Trips per matter") is the definition.

A person is a stored digest (`tickets.person`, domain/identity.py): under a key rotation one
citizen may have digests under two key ids, and counts as two persons here.

- A **visit** is a hall day on which the person has a ticket of the service that counts: any
  ticket but one its holder cancelled. A no-show is a visit (they came and took a ticket), and
  so is a ticket the day's rollover expired (they waited and were not served by closing time).
  Several tickets on one day are one visit.
- A visit **completes** when one of its tickets ends `completed`: at the window, or accepted as
  pending there and completed later by the back office (the citizen did not come back for it).
- A **matter** begins at a visit that is not inside an earlier matter. Its visits are the
  following ones up to and including the first that completes, within `window_days` calendar
  days counted from its first visit (that day is day 1). Then it is `completed`; without a
  completing visit in its window it is `open` while the window still runs (its last day is
  today or later), else `unfinished`. The next visit after a matter begins a new one.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .errors import Invalid
from .model import ClosedReason, Json, Outcome, Status

DEFAULT_WINDOW_DAYS = 30
WINDOW_DAYS_RANGE = (1, 90)
BUCKETS = ("1", "2", "3", "4+")  # the trips distribution: 4 and more in the last
FIGURE_FIELDS = ("matters", "completed", "one_trip", "open", "unfinished")


class MatterState(enum.StrEnum):
    COMPLETED = "completed"
    OPEN = "open"  # not completed, and its window still runs
    UNFINISHED = "unfinished"  # not completed within its window


@dataclass(frozen=True, slots=True)
class RealNameTicket:
    """What trips read of a real-name ticket: never shown, the person digest included."""

    pk: int
    person: str
    service: str
    day: str
    status: Status
    outcome: Outcome | None = None
    closed_reason: ClosedReason | None = None


@dataclass(frozen=True, slots=True)
class Matter:
    """One matter of one person and service: its visits' days and tickets, and its state."""

    service: str
    days: tuple[str, ...]  # its visits, oldest first
    tickets: tuple[tuple[int, ...], ...]  # each visit's ticket pks
    state: MatterState

    @property
    def first_day(self) -> str:
        return self.days[0]

    @property
    def trips(self) -> int:
        return len(self.days)


def is_visit(ticket: RealNameTicket) -> bool:
    """Every ticket counts as a visit but one its holder cancelled."""
    return ticket.status is not Status.CANCELLED or ticket.closed_reason is ClosedReason.EXPIRED


def completes(ticket: RealNameTicket) -> bool:
    """Ended completed, at the window or later by the back office (a pending one completed)."""
    return ticket.outcome is Outcome.COMPLETED


def last_window_day(first_day: str, window_days: int) -> str:
    """The last day of a matter begun on `first_day`: day `window_days`, counting it as day 1
    (at most 9999-12-31)."""
    try:
        return (date.fromisoformat(first_day) + timedelta(days=window_days - 1)).isoformat()
    except OverflowError:
        return date.max.isoformat()


def matters_of(tickets: Iterable[RealNameTicket], window_days: int, today: str) -> list[Matter]:
    """Every matter in `tickets` (any persons and services), by first day then service. Each
    person's tickets of a service must all be there, from their first: a visit's matter depends
    on every visit before it."""
    visits: dict[tuple[str, str], dict[str, list[RealNameTicket]]] = {}
    for t in tickets:
        if is_visit(t):
            visits.setdefault((t.person, t.service), {}).setdefault(t.day, []).append(t)
    out: list[Matter] = []
    for (_person, service), days in visits.items():
        out += _cut(service, sorted(days.items()), window_days, today)
    out.sort(key=lambda m: (m.first_day, m.service))
    return out


def _cut(
    service: str,
    days: Sequence[tuple[str, list[RealNameTicket]]],
    window_days: int,
    today: str,
) -> list[Matter]:
    """One person's visits of one service, oldest first, cut into matters."""
    matters: list[Matter] = []
    i = 0
    while i < len(days):
        last = last_window_day(days[i][0], window_days)
        j, done = i, False
        while j < len(days) and days[j][0] <= last and not done:
            done = any(completes(t) for t in days[j][1])
            j += 1
        if done:
            state = MatterState.COMPLETED
        else:
            state = MatterState.OPEN if last >= today else MatterState.UNFINISHED
        visits = days[i:j]
        matters.append(
            Matter(
                service=service,
                days=tuple(day for day, _ in visits),
                tickets=tuple(tuple(sorted(t.pk for t in ts)) for _, ts in visits),
                state=state,
            )
        )
        i = j
    return matters


def visit_numbers(matters: Iterable[Matter]) -> dict[int, int]:
    """Ticket pk → the number of its visit in its matter (1: the first)."""
    return {pk: n for m in matters for n, pks in enumerate(m.tickets, 1) for pk in pks}


def figures(matters: Sequence[Matter]) -> Json:
    """The figures of a group of matters (those begun on a day, or in a range):
    `one_trip_rate` = one_trip ÷ (completed + unfinished), the matters decided; open ones wait.
    `distribution` and `mean_trips` are over the completed matters."""
    counts = dict.fromkeys(FIGURE_FIELDS, 0)
    distribution = dict.fromkeys(BUCKETS, 0)
    total_trips = 0
    for m in matters:
        counts["matters"] += 1
        counts[m.state.value] += 1
        if m.state is MatterState.COMPLETED:
            counts["one_trip"] += m.trips == 1
            distribution[BUCKETS[min(m.trips, len(BUCKETS)) - 1]] += 1
            total_trips += m.trips
    decided = counts["completed"] + counts["unfinished"]
    completed = counts["completed"]
    return {
        **counts,
        "one_trip_rate": round(counts["one_trip"] / decided, 4) if decided else None,
        "distribution": distribution,
        "mean_trips": round(total_trips / completed, 3) if completed else None,
    }


def trips_figures(matters: Sequence[Matter], window_days: int) -> Json:
    """The hall's figures and each service's (those with a matter), and the window used."""
    by_service: dict[str, list[Matter]] = {}
    for m in matters:
        by_service.setdefault(m.service, []).append(m)
    return {
        "window_days": window_days,
        **figures(matters),
        "per_service": {code: figures(group) for code, group in sorted(by_service.items())},
    }


def begun_between(matters: Iterable[Matter], first: str, last: str) -> list[Matter]:
    """The matters whose first visit is from `first` to `last` (both included)."""
    return [m for m in matters if first <= m.first_day <= last]


def parse_window_days(value: object) -> int:
    """The hall's trips_window_days: 1–90 calendar days (400 bad_trips_window_days)."""
    low, high = WINDOW_DAYS_RANGE
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid(
            "bad_trips_window_days",
            f"trips_window_days must be a whole number of days {low}–{high}.",
        )
    return value
