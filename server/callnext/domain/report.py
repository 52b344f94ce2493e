"""The manager's reports: a day's figures beyond the contract's statistics, and a trend over
days. Pure: the caller passes the tickets, the hall and `now`; the contract's definitions (wait,
service time, served, nearest-rank summaries) are stats.py's, used as they are."""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from . import stats
from .clock import rfc3339, zone
from .model import ClosedReason, Hall, Json, Outcome, Service, Status, Ticket

WAIT_BUCKETS_MIN = (0, 5, 10, 15, 20, 30, 45, 60)  # lower edges; the last bucket is 60+
HOURS = range(24)


# -- a day ---------------------------------------------------------------------------------


def day_report(day: str, tickets: Sequence[Ticket], hall: Hall, now: datetime) -> Json:
    """The contract's statistics object for `day` plus the dashboard's figures."""
    tz = hall.timezone
    figures = stats.day_stats(day, tickets, tz)
    for code, group in group_by_service(tickets).items():
        figures["per_service"][code]["service_level"] = service_level(group, hall)
    return {
        **figures,
        "now": rfc3339(now, tz),
        "expired": sum(1 for t in tickets if t.closed_reason is ClosedReason.EXPIRED),
        "service_level": service_level(tickets, hall),
        "promise_met": promise_met(tickets, hall.promise_s, now),
        "hourly": hourly(day, tickets, tz),
        "wait_histogram": wait_histogram(tickets),
        "per_window_throughput": window_throughput(tickets, tz),
        "longest_waiting": longest_waiting(tickets, now, tz),
    }


def group_by_service(tickets: Iterable[Ticket]) -> dict[str, list[Ticket]]:
    groups: dict[str, list[Ticket]] = {}
    for t in tickets:
        groups.setdefault(t.service, []).append(t)
    return dict(sorted(groups.items()))


def group_by_finishing_window(tickets: Iterable[Ticket]) -> dict[str, list[Ticket]]:
    """The tickets each window finished (the contract's per_window grouping)."""
    groups: dict[str, list[Ticket]] = {}
    for t in tickets:
        if t.finished_at is not None and t.window is not None:
            groups.setdefault(str(t.window), []).append(t)
    return dict(sorted(groups.items(), key=lambda kv: int(kv[0])))


def target_wait_s(hall: Hall, code: str) -> int:
    """The service's target wait; a service no longer configured gets the default target."""
    service = hall.service(code) or Service(code=code, name=code)
    return service.target_wait_s


def service_level(tickets: Iterable[Ticket], hall: Hall) -> Json:
    """How many called tickets waited no longer than their service's target, and the share."""
    called = within = 0
    for t in tickets:
        wait = stats.wait_s(t)
        if wait is None:
            continue
        called += 1
        if wait <= target_wait_s(hall, t.service):
            within += 1
    return {"called": called, "within_target": within, "rate": _rate(within, called)}


def was_accepted_pending(ticket: Ticket) -> bool:
    """Finished as pending at the window: still pending, or completed after it was finished
    (a matter completed at the window has completed_at == finished_at)."""
    if ticket.finished_at is None:
        return False
    if ticket.outcome is Outcome.PENDING:
        return True
    return (
        ticket.outcome is Outcome.COMPLETED
        and ticket.completed_at is not None
        and ticket.completed_at > ticket.finished_at
    )


def promise_met(tickets: Iterable[Ticket], promise_s: int, now: datetime) -> Json:
    """The pending matters and the hall's promise: each is due `promise_s` after it was
    accepted (finished_at). The rate is over the matters decided: completed, or overdue."""
    counts = Counter[str]()
    promise = timedelta(seconds=promise_s)
    for t in tickets:
        if not was_accepted_pending(t):
            continue
        assert t.finished_at is not None
        due = t.finished_at + promise
        counts["pending"] += 1
        if t.outcome is Outcome.COMPLETED:
            assert t.completed_at is not None
            counts["completed_in_time" if t.completed_at <= due else "completed_late"] += 1
        else:
            counts["overdue_open" if now > due else "open_in_time"] += 1
    fields = ("pending", "completed_in_time", "completed_late", "overdue_open", "open_in_time")
    decided = counts["completed_in_time"] + counts["completed_late"] + counts["overdue_open"]
    return {
        "promise_s": promise_s,
        **{f: counts[f] for f in fields},
        "rate": _rate(counts["completed_in_time"], decided),
    }


def hourly(day: str, tickets: Iterable[Ticket], tz: str) -> list[Json]:
    """Per local hour of `day`: tickets issued, first calls, tickets served (finished
    completed or pending). A moment on another local day is not counted."""
    rows = [{"hour": h, "arrivals": 0, "calls": 0, "served": 0} for h in HOURS]

    def count(moment: datetime | None, field: str) -> None:
        if moment is None:
            return
        local = moment.astimezone(zone(tz))
        if local.date().isoformat() == day:
            rows[local.hour][field] += 1

    for t in tickets:
        count(t.issued_at, "arrivals")
        count(t.called_at, "calls")
        if stats.is_served(t):
            count(t.finished_at, "served")
    return rows


def wait_histogram(tickets: Iterable[Ticket]) -> list[Json]:
    """The called tickets by wait, in minute buckets [from, to); the last has no upper edge."""
    counts = [0] * len(WAIT_BUCKETS_MIN)
    for t in tickets:
        wait = stats.wait_s(t)
        if wait is not None:
            counts[max(0, bisect.bisect_right(WAIT_BUCKETS_MIN, wait / 60) - 1)] += 1
    uppers: list[int | None] = [*WAIT_BUCKETS_MIN[1:], None]
    return [
        {"from_min": lo, "to_min": hi, "count": n}
        for lo, hi, n in zip(WAIT_BUCKETS_MIN, uppers, counts, strict=True)
    ]


def window_throughput(tickets: Iterable[Ticket], tz: str) -> Json:
    """Per window, over the tickets it finished: how many it served, their mean service time,
    the earliest first call among them and its last finish."""
    out: Json = {}
    for number, group in group_by_finishing_window(tickets).items():
        calls = [t.called_at for t in group if t.called_at is not None]
        finishes = [t.finished_at for t in group if t.finished_at is not None]
        services = [s for t in group if (s := stats.service_s(t)) is not None]
        out[number] = {
            "served": len(services),
            "service_s_avg": stats.summarize(services)["avg"],
            "first_call_at": rfc3339(min(calls), tz) if calls else None,
            "last_finish_at": rfc3339(max(finishes), tz) if finishes else None,
        }
    return out


def longest_waiting(tickets: Iterable[Ticket], now: datetime, tz: str) -> Json | None:
    """The ticket of the day still waiting for the longest time, or None."""
    waiting = [t for t in tickets if t.status is Status.WAITING]
    if not waiting:
        return None
    first = min(waiting, key=lambda t: (t.issued_at, t.pk))
    return {
        "number": first.number,
        "service": first.service,
        "issued_at": rfc3339(first.issued_at, tz),
        "waited_s": max(0, round((now - first.issued_at).total_seconds())),
    }


# -- days ----------------------------------------------------------------------------------


def days_between(first: str, last: str) -> list[str]:
    """Every day from `first` to `last`, both included (YYYY-MM-DD)."""
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]


def day_chunks(first: str, last: str, size: int) -> list[tuple[str, str]]:
    """The range cut into consecutive (first, last) pieces of at most `size` days."""
    days = days_between(first, last)
    return [(days[i], days[min(i + size, len(days)) - 1]) for i in range(0, len(days), size)]


def by_day(days: Sequence[str], tickets: Iterable[Ticket]) -> list[tuple[str, list[Ticket]]]:
    """`tickets` grouped by their day, one entry for each of `days` (empty days included)."""
    groups: dict[str, list[Ticket]] = {d: [] for d in days}
    for t in tickets:
        if t.day in groups:
            groups[t.day].append(t)
    return list(groups.items())


def trend_day(day: str, tickets: Sequence[Ticket], tz: str) -> Json:
    """One day of the trend: its counts, same-day completion rate, wait avg/p90, service avg."""
    fig = stats.figures(tickets, tz)
    return {
        "date": day,
        **{name: fig[name] for name in stats.COUNT_FIELDS},
        "same_day_completion_rate": fig["same_day_completion_rate"],
        "wait_s_avg": fig["wait_s"]["avg"],
        "wait_s_p90": fig["wait_s"]["p90"],
        "service_s_avg": fig["service_s"]["avg"],
    }


def trend(days: Iterable[tuple[str, Sequence[Ticket]]], tz: str) -> list[Json]:
    """One entry per (day, its tickets), in the order given; a day without tickets has zero
    counts and null rate and times."""
    return [trend_day(day, tickets, tz) for day, tickets in days]


class RangeFigures:
    """The contract's figures (and the service level) of one group over many days, fed a day
    at a time: counts add up, summaries are taken over every value of the range."""

    def __init__(self, hall: Hall) -> None:
        self.hall = hall
        self.counts = Counter[str]()
        self.waits: list[float] = []
        self.services: list[float] = []

    def add(self, tickets: Sequence[Ticket]) -> None:
        fig = stats.figures(tickets, self.hall.timezone)
        self.counts.update({name: fig[name] for name in (*stats.COUNT_FIELDS, "inconsistent")})
        level = service_level(tickets, self.hall)
        self.counts["within_target"] += level["within_target"]
        self.waits += [w for t in tickets if (w := stats.wait_s(t)) is not None]
        self.services += [s for t in tickets if (s := stats.service_s(t)) is not None]

    def result(self) -> Json:
        c = self.counts
        return {
            **{name: c[name] for name in stats.COUNT_FIELDS},
            "same_day_completion_rate": _rate(c["completed_same_day"], c["served"]),
            "wait_s": stats.summarize(self.waits),
            "service_s": stats.summarize(self.services),
            "inconsistent": c["inconsistent"],
            "service_level": {
                "called": c["called"],
                "within_target": c["within_target"],
                "rate": _rate(c["within_target"], c["called"]),
            },
        }


def _rate(part: int, whole: int) -> float | None:
    """A share rounded to four places like the contract's rate; None over nothing."""
    return round(part / whole, 4) if whole else None
