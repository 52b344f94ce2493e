"""A day's figures, exactly as the contract defines them, from the tickets issued that day."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from .clock import local_day
from .model import Outcome, Status, Ticket

SERVED = (Outcome.COMPLETED, Outcome.PENDING)
COUNT_FIELDS = (
    "issued", "called", "served", "no_show", "cancelled", "waiting", "completed_same_day",
)  # fmt: skip
SUMMARY_FIELDS = ("avg", "p50", "p90", "max")


def nearest_rank(sorted_values: Sequence[float], p: float) -> float:
    """The ⌈p·n⌉-th smallest value (p in (0, 1])."""
    rank = max(1, math.ceil(p * len(sorted_values)))
    return sorted_values[rank - 1]


def summarize(values: Iterable[float]) -> dict[str, float | None]:
    ordered = sorted(values)
    if not ordered:
        return dict.fromkeys(SUMMARY_FIELDS)
    return {
        "avg": round(sum(ordered) / len(ordered), 3),
        "p50": round(nearest_rank(ordered, 0.5), 3),
        "p90": round(nearest_rank(ordered, 0.9), 3),
        "max": round(ordered[-1], 3),
    }


def is_served(ticket: Ticket) -> bool:
    return ticket.outcome in SERVED and ticket.finished_at is not None


def _span(start: datetime | None, end: datetime | None) -> float | None:
    """Seconds from `start` to `end`; None when either is missing or `end` comes first."""
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds()


def wait_s(ticket: Ticket) -> float | None:
    """From issue to the first call; None if not called, or if called "before" its issue."""
    return _span(ticket.issued_at, ticket.called_at)


def service_s(ticket: Ticket) -> float | None:
    """From the first call to the finish of a served ticket; None otherwise, or if it finished
    "before" its call."""
    return _span(ticket.called_at, ticket.finished_at) if is_served(ticket) else None


def inconsistent(ticket: Ticket) -> bool:
    """Whether the ticket's times run backwards (called before issued, finished before
    called): a clock set back, or rows written over by hand or by a tool. Such a ticket counts
    in the counts but in no duration (wait, service time, their summaries and the estimates'
    accuracy), and figures() counts it in `inconsistent`."""
    called, finished = ticket.called_at, ticket.finished_at
    if called is None:
        return finished is not None and finished < ticket.issued_at
    return called < ticket.issued_at or (finished is not None and finished < called)


def completed_same_day(ticket: Ticket, tz: str) -> bool:
    return (
        is_served(ticket)
        and ticket.outcome is Outcome.COMPLETED
        and ticket.completed_at is not None
        and local_day(ticket.completed_at, tz) == ticket.day
    )


def figures(tickets: Sequence[Ticket], tz: str) -> dict[str, Any]:
    """Counts, rate and time summaries over one group of tickets."""
    served = sum(1 for t in tickets if is_served(t))
    same_day = sum(1 for t in tickets if completed_same_day(t, tz))
    waits = [w for t in tickets if (w := wait_s(t)) is not None]
    services = [s for t in tickets if (s := service_s(t)) is not None]
    return {
        "issued": len(tickets),
        "called": sum(1 for t in tickets if t.called_at is not None),
        "served": served,
        "no_show": sum(1 for t in tickets if t.status is Status.NO_SHOW),
        "cancelled": sum(1 for t in tickets if t.status is Status.CANCELLED),
        "waiting": sum(1 for t in tickets if t.status is Status.WAITING),
        "completed_same_day": same_day,
        "same_day_completion_rate": round(same_day / served, 4) if served else None,
        "wait_s": summarize(waits),
        "service_s": summarize(services),
        "estimate": estimate_accuracy(tickets),
        "inconsistent": sum(1 for t in tickets if inconsistent(t)),
    }


def estimate_accuracy(tickets: Iterable[Ticket]) -> dict[str, Any]:
    """How far the wait told at issue was from the actual wait, over the called tickets that
    were told one: mean absolute error, bias (actual − told: positive, they waited longer), and
    the error relative to the mean actual wait."""
    pairs = [
        (actual, float(t.est_at_issue_s))
        for t in tickets
        if t.est_at_issue_s is not None and (actual := wait_s(t)) is not None
    ]
    if not pairs:
        return {"n": 0, "mae_s": None, "bias_s": None, "mae_ratio": None}
    n = len(pairs)
    mae = sum(abs(actual - told) for actual, told in pairs) / n
    mean_wait = sum(actual for actual, _ in pairs) / n
    return {
        "n": n,
        "mae_s": round(mae, 3),
        "bias_s": round(sum(actual - told for actual, told in pairs) / n, 3),
        "mae_ratio": round(mae / mean_wait, 4) if mean_wait > 0 else None,
    }


def day_stats(day: str, tickets: Sequence[Ticket], tz: str) -> dict[str, Any]:
    """The contract's statistics object for the tickets issued on `day`."""
    by_service: dict[str, list[Ticket]] = {}
    by_window: dict[str, list[Ticket]] = {}
    for t in tickets:
        by_service.setdefault(t.service, []).append(t)
        if t.finished_at is not None and t.window is not None:
            by_window.setdefault(str(t.window), []).append(t)
    return {
        "date": day,
        **figures(tickets, tz),
        "per_service": {k: figures(v, tz) for k, v in sorted(by_service.items())},
        "per_window": {
            k: figures(v, tz) for k, v in sorted(by_window.items(), key=lambda kv: int(kv[0]))
        },
    }


def csv_rows(stats: dict[str, Any]) -> list[list[str]]:
    """One row for the hall, one per service, one per window: a spreadsheet's view."""
    header = ["date", "scope", "key", *COUNT_FIELDS, "same_day_completion_rate"]
    for group in ("wait_s", "service_s"):
        header += [f"{group}_{f}" for f in SUMMARY_FIELDS]
    rows = [header, _csv_row(stats["date"], "hall", "", stats)]
    for code, fig in stats["per_service"].items():
        rows.append(_csv_row(stats["date"], "service", code, fig))
    for number, fig in stats["per_window"].items():
        rows.append(_csv_row(stats["date"], "window", number, fig))
    return rows


def _csv_row(day: str, scope: str, key: str, fig: dict[str, Any]) -> list[str]:
    cells: list[Any] = [day, scope, key, *(fig[f] for f in COUNT_FIELDS)]
    cells.append(fig["same_day_completion_rate"])
    for group in ("wait_s", "service_s"):
        cells += [fig[group][f] for f in SUMMARY_FIELDS]
    return ["" if c is None else str(c) for c in cells]


def window_day(tickets: Sequence[Ticket]) -> dict[str, Any]:
    """A window's day for its console, over the tickets it called that are still its own
    (a transfer gives a ticket back to the queue): called, served and how, no-shows, averages."""
    finished = [t for t in tickets if t.finished_at is not None]
    waits = [w for t in tickets if (w := wait_s(t)) is not None]
    services = [s for t in finished if (s := service_s(t)) is not None]
    return {
        "called": len(tickets),
        "served": sum(1 for t in finished if is_served(t)),
        "completed": sum(1 for t in finished if t.outcome is Outcome.COMPLETED),
        "pending": sum(1 for t in finished if t.outcome is Outcome.PENDING),
        "no_show": sum(1 for t in tickets if t.status is Status.NO_SHOW),
        "service_s_avg": summarize(services)["avg"],
        "wait_s_avg": summarize(waits)["avg"],
    }
