"""When a service issues tickets: the manual switch, its weekly hours, holidays, the day's quota.

Pure: the caller passes the hall's local time and how many numbers the service gave out today.
Hours are the hours the kiosk issues tickets (a hall that stops issuing before it closes says so
in its hours). A weekly schedule is `{"mon": ["09:00-12:00", "13:30-17:00"], …, "sun": []}`;
a day left out is closed; no schedule at all means always open.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from .errors import Invalid

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SPAN = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-4]):([0-5][0-9])")
MAX_QUOTA = 100_000
LOOK_AHEAD_DAYS = 14  # how far the next opening is looked for


class Closed(enum.StrEnum):
    """Why a service issues no ticket now; the value is also the API's error code."""

    CLOSED = "service_closed"  # switched off by the manager
    HOLIDAY = "hall_closed_today"  # a date the hall is closed
    OUTSIDE_HOURS = "outside_hours"
    QUOTA_REACHED = "quota_reached"


Span = tuple[int, int]  # minutes since local midnight, [start, end)


@dataclass(frozen=True, slots=True)
class Hours:
    """A weekly schedule: for each weekday (Monday first), its opening spans in order."""

    days: tuple[tuple[Span, ...], ...]

    def spans(self, weekday: int) -> tuple[Span, ...]:
        return self.days[weekday]


@dataclass(frozen=True, slots=True)
class Availability:
    open: bool
    closed: Closed | None = None
    opens_at: str | None = None  # "HH:MM", the next opening later today
    closes_at: str | None = None  # "HH:MM", the end of the span open now
    remaining: int | None = None  # numbers left today under the quota
    next_open: datetime | None = None  # while closed: when tickets are next issued (hall time)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _parse_span(text: object, day: str) -> Span:
    match = SPAN.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise Invalid("bad_hours", f"hours.{day}: each span must look like 09:00-12:00.")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end > 24 * 60 or start >= end:
        raise Invalid("bad_hours", f"hours.{day}: {text} must end after it starts.")
    return start, end


def parse_hours(value: object) -> Hours | None:
    """A weekly schedule from its JSON; None (always open) from null; Invalid otherwise."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Invalid("bad_hours", 'hours must be an object like {"mon": ["09:00-17:00"]}.')
    unknown = set(value) - set(WEEKDAYS)
    if unknown:
        raise Invalid("bad_hours", f"hours: unknown day {sorted(unknown)[0]!r}; use mon…sun.")
    days = []
    for day in WEEKDAYS:
        spans_json = value.get(day, [])
        if not isinstance(spans_json, list) or len(spans_json) > 8:
            raise Invalid("bad_hours", f"hours.{day} must be a list of up to 8 spans.")
        spans = sorted(_parse_span(s, day) for s in spans_json)
        for (_s1, e1), (s2, _e2) in pairwise(spans):
            if s2 < e1:
                raise Invalid("bad_hours", f"hours.{day}: spans overlap.")
        days.append(tuple(spans))
    return Hours(tuple(days))


def hours_json(hours: Hours | None) -> dict[str, list[str]] | None:
    if hours is None:
        return None
    return {
        day: [f"{_hhmm(s)}-{_hhmm(e)}" for s, e in hours.spans(i)] for i, day in enumerate(WEEKDAYS)
    }


def parse_quota(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_QUOTA:
        raise Invalid("bad_quota", f"daily_quota must be null or a whole number 0–{MAX_QUOTA}.")
    return value


def parse_dates(value: object) -> tuple[str, ...]:
    """Closed dates, YYYY-MM-DD, sorted and without repeats."""
    if not isinstance(value, list) or len(value) > 366:
        raise Invalid("bad_dates", "closed_dates must be a list of up to 366 YYYY-MM-DD dates.")
    out = set()
    for item in value:
        try:
            if not isinstance(item, str) or len(item) != 10:
                raise ValueError(item)
            out.add(datetime.strptime(item, "%Y-%m-%d").date().isoformat())
        except ValueError as exc:
            raise Invalid("bad_dates", f"closed_dates: {item!r} is not YYYY-MM-DD.") from exc
    return tuple(sorted(out))


def _by_hours(hours: Hours | None, local_now: datetime) -> Availability:
    if hours is None:
        return Availability(open=True)
    minute = local_now.hour * 60 + local_now.minute
    for start, end in hours.spans(local_now.weekday()):
        if start <= minute < end:
            return Availability(open=True, closes_at=_hhmm(end))
        if minute < start:
            return Availability(open=False, closed=Closed.OUTSIDE_HOURS, opens_at=_hhmm(start))
    return Availability(open=False, closed=Closed.OUTSIDE_HOURS)


def _first_opening(hours: Hours | None, day: date) -> int | None:
    """The first minute of `day` the hours issue tickets; None when they are shut all day."""
    if hours is None:
        return 0
    spans = hours.spans(day.weekday())
    return spans[0][0] if spans else None


def next_opening(
    hours: Hours | None, closed_dates: tuple[str, ...], local_now: datetime, later_today: bool
) -> datetime | None:
    """When tickets are next issued after `local_now`: today's next span (`later_today`), else
    the first span of the next day the hall is not closed, within LOOK_AHEAD_DAYS."""
    today = local_now.date()
    for ahead in range(0 if later_today else 1, LOOK_AHEAD_DAYS + 1):
        day = today + timedelta(days=ahead)
        if day.isoformat() in closed_dates:
            continue
        minute = _first_opening(hours, day) if ahead else _later_today(hours, local_now)
        if minute is not None:
            at = time(minute // 60, minute % 60)
            return datetime.combine(day, at, tzinfo=local_now.tzinfo)
    return None


def _later_today(hours: Hours | None, local_now: datetime) -> int | None:
    minute = local_now.hour * 60 + local_now.minute
    spans = hours.spans(local_now.weekday()) if hours is not None else ()
    return next((start for start, _end in spans if start > minute), None)


def availability(
    *,
    switched_on: bool,
    hours: Hours | None,
    closed_dates: tuple[str, ...],
    quota: int | None,
    issued_today: int,
    local_now: datetime,
) -> Availability:
    """Whether the service issues a ticket at `local_now` (the hall's local time), and why not."""
    remaining = None if quota is None else max(0, quota - issued_today)
    if not switched_on:
        return Availability(open=False, closed=Closed.CLOSED, remaining=remaining)
    if local_now.date().isoformat() in closed_dates:
        return Availability(
            open=False,
            closed=Closed.HOLIDAY,
            remaining=remaining,
            next_open=next_opening(hours, closed_dates, local_now, later_today=False),
        )
    by_hours = _by_hours(hours, local_now)
    if not by_hours.open:
        return Availability(
            open=False,
            closed=by_hours.closed,
            opens_at=by_hours.opens_at,
            remaining=remaining,
            next_open=next_opening(hours, closed_dates, local_now, later_today=True),
        )
    if remaining == 0:
        return Availability(
            open=False,
            closed=Closed.QUOTA_REACHED,
            remaining=0,
            next_open=next_opening(hours, closed_dates, local_now, later_today=False),
        )
    return Availability(open=True, closes_at=by_hours.closes_at, remaining=remaining)


def closing_today(hours: Hours | None, local_now: datetime) -> datetime | None:
    """When the service's last span of the day ends (hall time); None with no hours (always
    open) or when no span is left today."""
    if hours is None:
        return None
    minute = local_now.hour * 60 + local_now.minute
    ends = [end for _start, end in hours.spans(local_now.weekday()) if end > minute]
    if not ends:
        return None
    midnight = datetime.combine(local_now.date(), time(0), tzinfo=local_now.tzinfo)
    return midnight + timedelta(minutes=ends[-1])


def past_closing(hours: Hours | None, local_now: datetime, est_wait_s: int | None) -> bool:
    """Whether a ticket estimated to wait `est_wait_s` from `local_now` would be called after
    the service's last span today ends (may not be served today). No estimate: no claim."""
    if est_wait_s is None:
        return False
    closing = closing_today(hours, local_now)
    return closing is not None and local_now + timedelta(seconds=est_wait_s) > closing


def availability_json(a: Availability) -> dict[str, Any]:
    """The fields a service carries in the snapshot and in each frame's `queues`."""
    return {
        "open": a.open,
        "closed_reason": a.closed.value if a.closed else None,
        "opens_at": a.opens_at,
        "closes_at": a.closes_at,
        "remaining": a.remaining,
        "next_open_at": a.next_open.isoformat(timespec="milliseconds") if a.next_open else None,
    }
