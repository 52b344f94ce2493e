"""Simulated days of the demo hall for the dashboard's tests and screenshots: the busy days of
callnext.bench.simulate (lighter or heavier), their pending matters completed later as a back
office would, and the first hours of today, all through the real use cases with fixed clocks."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from functools import partial

from callnext.bench.simulate import DayPlan, simulate_day
from callnext.domain.clock import zone
from callnext.domain.model import Finish, Outcome
from callnext.store import reads
from callnext.store.database import Database
from callnext.usecases import ticketing, windows

HALL = "demo"
# complete_pending below completes the pending matters, never after `until`; B (水电气过户)
# takes real-name tickets, and citizens not done come back on later days (一次办结率)
BASE = DayPlan(completion_min=None, real_name=("B",))


def plan(load: float = 1.0, opens: time = BASE.opens, hours: int | None = None) -> DayPlan:
    """The simulation's busy day with its arrivals scaled by `load`, opening at `opens`, for
    the first `hours` hours of its profile (all eight by default)."""
    rates = {code: rate * load for code, rate in BASE.arrivals_per_hour.items()}
    profile = BASE.profile if hours is None else BASE.profile[:hours]
    return replace(BASE, arrivals_per_hour=rates, opens=opens, profile=profile)


async def complete_pending(
    db: Database, day: date, seed: int, until: datetime, share: float = 0.9
) -> int:
    """Complete the day's pending matters: `share` of them 8 to 80 minutes after they were
    accepted (nine in ten within the 60-minute promise), the others the next morning; none
    after `until`. Returns how many."""
    hall = await db.hall(HALL)
    tz = zone(hall.timezone)
    next_morning = datetime.combine(day + timedelta(days=1), time(9, 30), tzinfo=tz)
    rng = random.Random(seed)
    done = 0
    for t in await reads.tickets_of_day(db, hall, day.isoformat()):
        if t.outcome is not Outcome.PENDING or t.finished_at is None:
            continue
        if rng.random() < share:
            moment = t.finished_at + timedelta(minutes=rng.triangular(8, 80, 25))
        else:
            moment = next_morning + timedelta(minutes=rng.uniform(0, 90))
        if moment >= until:
            continue
        await db.hall_write(HALL, partial(ticketing.complete_body, ticket_id=t.id), now=moment)
        done += 1
    return done


async def busy_day(
    db: Database, day: date, seed: int = 1, load: float = 1.0, until: datetime | None = None
) -> int:
    """A whole simulated day (its pending matters mostly completed); the tickets issued."""
    hall = await db.hall(HALL)
    seen = await simulate_day(db, hall, day, plan(load), seed=seed)
    await complete_pending(db, day, seed, until or datetime.now(UTC))
    return len(seen.records)


async def month(db: Database, today: date, days: int = 30, skip_weekends: bool = True) -> int:
    """The `days` - 1 days before `today`, each a busy day of its own load (weekends closed)."""
    total = 0
    for back in range(days - 1, 0, -1):
        day = today - timedelta(days=back)
        if skip_weekends and day.weekday() >= 5:
            continue
        load = 0.7 + 0.35 * random.Random(back).random()
        total += await busy_day(db, day, seed=back, load=load)
    return total


async def this_morning(db: Database, now: datetime, hours: int = 5) -> int:
    """Today's first hours, their queue drained before `now` (an hour's margin): from 09:00 when
    the day is far enough on, else from a few hours before now. Returns the tickets issued."""
    hall = await db.hall(HALL)
    local = now.astimezone(zone(hall.timezone))
    last = local.hour - 1  # arrivals end by then; the queue drains in the hour after
    first = 9 if last - 9 >= 2 else max(0, last - hours)
    span = min(hours, last - first)
    if span < 1:
        return 0
    seen = await simulate_day(db, hall, local.date(), plan(0.8, time(first, 0), span), seed=99)
    await complete_pending(db, local.date(), 99, now)
    return len(seen.records)


async def the_last_half_hour(db: Database, now: datetime) -> None:
    """The hall as it is now: tickets taken over the last half hour, some still waiting; the
    windows called their current tickets a few minutes ago; window 4 is on a break."""
    rng = random.Random(7)
    issued = sorted(
        (now - timedelta(seconds=rng.uniform(60, 1800)), code)
        for code, n in (("A", 16), ("B", 6), ("C", 4))
        for _ in range(n)
    )
    for n, (moment, code) in enumerate(issued):
        persons = [f"sim:{n:064x}"] if code in BASE.real_name else None  # a new person each
        body = partial(ticketing.issue_body, service=code, priority=False, key=None,
                       persons=persons)  # fmt: skip
        await db.hall_write(HALL, body, now=moment)
    calls = [(1, 9), (2, 7), (3, 5), (5, 6), (6, 3), (7, 4), (8, 2), (2, 1)]
    for window, minutes_ago in calls:
        moment = now - timedelta(minutes=minutes_ago, seconds=rng.uniform(0, 50))
        how = Finish.PENDING if (window, minutes_ago) == (2, 1) else Finish.COMPLETED
        body = partial(windows.call_next_body, number=window, how=how)
        await db.hall_write(HALL, body, now=moment)
    body = partial(windows.pause_body, number=4, paused=True, reason="午休 · Lunch break")
    await db.hall_write(HALL, body, now=now - timedelta(minutes=10))
