"""A simulated hall day, driven through the real store and the real use cases in virtual time.

Each window's staff member takes it as the hall opens and holds it all day. Citizens arrive
(Poisson, with a morning peak), take tickets, and windows call the next one as
soon as they are free, until the last ticket of the day is served. Service times are log-normal
around each service's mean; some citizens do not come, some matters are accepted as pending and
completed later (most within the hour's promise). Services of `DayPlan.real_name` take
real-name tickets (a made-up person digest each): a citizen whose last visit did not complete
(a no-show, a pending matter not completed yet: papers missing) comes back on a later day with
the plan's `return_share` a day, for up to `return_days` days, so trips per matter have returns.
Every step is the same hall transaction the web layer runs, stamped with the simulated time.
Tests check the day's statistics and the estimated waits against what the simulation itself saw;
`python -m callnext.bench.simulate` fills a database with such a day (for the dashboard's
screenshots, or to look around).

The command fills only a database that holds nothing but what it made itself: it marks each day
it fills with an audit row (action `simulate.day`: the day, its tickets, the hall's seq after
it) and refuses (one line on stderr, exit 2, nothing written) a database with any ticket or event
those marks do not account for, or a day it filled already. Run over a live hall it would have
called real tickets in virtual time and stored its events in the hall's log.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import heapq
import json
import math
import random
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from ..domain.clock import zone
from ..domain.hall_layout import WindowDef
from ..domain.hall_settings import parse_patch
from ..domain.model import CallOrder, Finish, Hall
from ..store.database import Database
from ..store.hall_tx import HallTx
from ..store.schema import audit, halls, tickets
from ..store.setup import seed_demo
from ..usecases import desks, hall_config, ticketing, windows

# Share of each hour's arrivals in a hall's day (09:00 to 17:00): a morning peak, a lunch dip.
PROFILE = (1.2, 1.5, 1.3, 0.6, 0.7, 1.1, 1.0, 0.6)


@dataclass(frozen=True)
class DayPlan:
    arrivals_per_hour: dict[str, float] = field(
        default_factory=lambda: {"A": 34.0, "B": 22.0, "C": 15.0}
    )
    service_mean_s: dict[str, float] = field(
        default_factory=lambda: {"A": 480.0, "B": 300.0, "C": 180.0}
    )
    sigma: float = 0.45  # of the log-normal service time
    priority_share: float = 0.04
    no_show_share: float = 0.05
    pending_share: float = 0.10
    no_show_wait_s: float = 60.0  # how long staff wait for a citizen who does not come
    # A pending matter is completed this many minutes after it was accepted; None: never.
    completion_min: tuple[float, float] | None = (15.0, 75.0)
    opens: time = time(9, 0)
    profile: tuple[float, ...] = PROFILE
    # Windows that take their services in this order (work profile `services`) all day; the
    # others keep theirs.
    in_order: dict[int, tuple[str, ...]] = field(default_factory=dict)
    # Real-name services (实名取号); a citizen not done comes back, each day with return_share,
    # within return_days of that visit (domain/trips.py counts the trips)
    real_name: tuple[str, ...] = ()
    return_share: float = 0.5
    return_days: int = 7


@dataclass
class Record:
    """What the simulation saw of one ticket (to check the store's figures against)."""

    number: str
    service: str
    issued: datetime
    told_s: int | None  # None: no staffed window served the service when it was issued
    called: datetime | None = None
    outcome: Finish | None = None


@dataclass
class Day:
    records: dict[str, Record] = field(default_factory=dict)


async def simulate_day(
    db: Database, hall: Hall, day: date, plan: DayPlan | None = None, seed: int = 1
) -> Day:
    """Run one day of `hall` on `day` (its local date); returns what it saw."""
    plan = plan or DayPlan()
    rng = random.Random(seed)
    tz = zone(hall.timezone)
    start = datetime.combine(day, plan.opens, tzinfo=tz)
    events: list[tuple[datetime, int, str, object]] = []
    order = 0

    def at(moment: datetime, kind: str, what: object) -> None:
        nonlocal order
        order += 1
        heapq.heappush(events, (moment, order, kind, what))

    for service, rate in plan.arrivals_per_hour.items():
        for n, moment in enumerate(_arrivals(rng, start, rate, plan.profile)):
            at(moment, "arrive", (service, _person(day, service, n, plan)))
    if plan.real_name:
        hall = await real_name_services(db, hall, plan.real_name, start)
        owed = await db.run_read(partial(returning, hall=hall, day=day, plan=plan))
        span = len(plan.profile) * 3600.0
        for person, service in owed:
            if rng.random() < plan.return_share:
                at(start + timedelta(seconds=rng.uniform(0, span)), "arrive", (service, person))
    seen = Day()
    hall = await set_work_profiles(db, hall, plan.in_order, start)
    await staff_windows(db, hall, start, start + timedelta(days=1))
    idle = {w.number for w in hall.windows}
    finish_how: dict[int, Finish] = {}
    while events:
        now, _, kind, what = heapq.heappop(events)
        if kind == "arrive":
            assert isinstance(what, tuple)
            service, person = what
            priority = rng.random() < plan.priority_share
            await _issue(db, hall, now, service, priority, seen, person)
            for number in sorted(idle):
                window = hall.window(number)
                if window is not None and service in window.services:
                    idle.discard(number)
                    at(now, "free", number)
                    break
            continue
        if kind == "complete":
            assert isinstance(what, str)
            await db.hall_write(
                hall.code, partial(ticketing.complete_body, ticket_id=what), now=now
            )
            continue
        assert isinstance(what, int)
        how = finish_how.pop(what, Finish.COMPLETED)
        body = partial(windows.call_next_body, number=what, how=how)
        result = await db.hall_write(hall.code, body, now=now)
        finished = result["finished"]
        pending = finished is not None and finished["outcome"] == Finish.PENDING.value
        if pending and plan.completion_min is not None:
            later = timedelta(minutes=rng.uniform(*plan.completion_min))
            at(now + later, "complete", finished["id"])
        called = result["called"]
        if called is None:  # nobody waits for this window: it waits for the next arrival
            idle.add(what)
            continue
        record = seen.records[called["number"]]
        record.called = now
        record.outcome = _outcome(rng, plan)
        finish_how[what] = record.outcome
        duration = _duration(rng, plan, called["service"], record.outcome)
        at(now + timedelta(seconds=duration), "free", what)
    return seen


async def set_work_profiles(
    db: Database, hall: Hall, in_order: dict[int, tuple[str, ...]], at: datetime
) -> Hall:
    """The hall once each window of `in_order` takes those services in that order, changed as
    a manager would (PUT …/windows/{n})."""
    for number, services in in_order.items():
        window = hall.window(number)
        assert window is not None, f"no window {number}"
        new = WindowDef(number, window.name, services, CallOrder.SERVICES)
        await db.hall_write(hall.code, partial(hall_config.put_window_body, window=new), now=at)
    return await db.hall(hall.code) if in_order else hall


async def staff_windows(db: Database, hall: Hall, at: datetime, until: datetime) -> None:
    """Each window's staff member (w1 at window 1, …) takes it at `at` until `until` (only
    staffed windows serve, so only they count in the estimates: domain/staffing.py)."""
    for window in hall.windows:
        user = f"w{window.number}"
        body = partial(
            desks.take_body, number=window.number, user=user, token_hash=f"simulated-{user}",
            force=True, held=None, until=until,
        )  # fmt: skip
        await db.hall_write(hall.code, body, now=at, actor=user)


def _arrivals(
    rng: random.Random, start: datetime, rate: float, profile: tuple[float, ...]
) -> list[datetime]:
    """Poisson arrivals hour by hour at `rate` × that hour's share."""
    out = []
    for hour, share in enumerate(profile):
        t = 0.0
        while True:
            t += rng.expovariate(rate * share / 3600.0)
            if t >= 3600:
                break
            out.append(start + timedelta(hours=hour, seconds=t))
    return out


def _outcome(rng: random.Random, plan: DayPlan) -> Finish:
    roll = rng.random()
    if roll < plan.no_show_share:
        return Finish.NO_SHOW
    if roll < plan.no_show_share + plan.pending_share:
        return Finish.PENDING
    return Finish.COMPLETED


def _duration(rng: random.Random, plan: DayPlan, service: str, outcome: Finish) -> float:
    if outcome is Finish.NO_SHOW:
        return plan.no_show_wait_s
    mean = plan.service_mean_s.get(service, 300.0)
    # a log-normal with this mean: mu = ln(mean) − sigma²/2
    return rng.lognormvariate(math.log(mean) - plan.sigma**2 / 2, plan.sigma)


def _person(day: date, service: str, n: int, plan: DayPlan) -> str | None:
    """A made-up person digest for the n-th arrival of a real-name service on `day`."""
    if service not in plan.real_name:
        return None
    return "sim:" + hashlib.sha256(f"{day}/{service}/{n}".encode()).hexdigest()


async def real_name_services(
    db: Database, hall: Hall, codes: tuple[str, ...], at: datetime
) -> Hall:
    """The hall once `codes` take real-name tickets (any number a person a day), as a manager
    would set them (PATCH …/settings)."""
    if all((s := hall.service(c)) is not None and s.real_name for c in codes):
        return hall
    body: dict[str, object] = {
        "services": {c: {"real_name": True, "person_daily_limit": None} for c in codes}
    }
    patch = parse_patch(hall, body)
    await db.hall_write(hall.code, partial(hall_config.apply_settings_body, patch=patch,
                                            asked=body), now=at)  # fmt: skip
    return await db.hall(hall.code)


def returning(conn: Connection, hall: Hall, day: date, plan: DayPlan) -> list[tuple[str, str]]:
    """(person, service) of the citizens whose last visit of the `return_days` before `day`
    did not complete (nor any later one), in a stable order."""
    t = tickets.c
    since = (day - timedelta(days=plan.return_days)).isoformat()
    rows = conn.execute(
        select(t.person, t.service, t.day, t.outcome)
        .where(t.hall_id == hall.id, t.person.is_not(None), t.day >= since,
               t.day < day.isoformat(), t.status != "cancelled")
        .order_by(t.day, t.pk)
    )  # fmt: skip
    done: dict[tuple[str, str], bool] = {}
    for person, service, _day, outcome in rows:
        done[(str(person), str(service))] = outcome == "completed"
    return [key for key, completed in done.items() if not completed]


async def _issue(
    db: Database, hall: Hall, now: datetime, service: str, priority: bool, seen: Day,
    person: str | None = None,
) -> None:  # fmt: skip
    body = partial(
        ticketing.issue_body, service=service, priority=priority, key=None,
        persons=[person] if person else None,
    )  # fmt: skip
    ticket, _replayed = await db.hall_write(hall.code, body, now=now)
    seen.records[ticket["number"]] = Record(ticket["number"], service, now, ticket["est_wait_s"])


MARK = "simulate.day"  # the audit action marking a day the command filled
REFUSED = 2  # the exit status of a refusal


def foreign_data(conn: Connection, day: str) -> str | None:
    """Why the command may not fill `day` in this database (in words), or None: the tickets
    and events of each hall must be exactly those its `simulate.day` marks account for."""
    made: Counter[tuple[int, str]] = Counter()
    seqs: dict[int, int] = {}
    rows = conn.execute(select(audit.c.hall_id, audit.c.detail).where(audit.c.action == MARK))
    for hall_id, detail in rows:
        mark = json.loads(detail)
        made[hall_id, mark["day"]] += int(mark["tickets"])
        seqs[hall_id] = max(seqs.get(hall_id, 0), int(mark["seq"]))
    codes = {}
    for hall_id, code, seq in conn.execute(select(halls.c.id, halls.c.code, halls.c.seq)):
        codes[hall_id] = code
        if int(seq) != seqs.get(hall_id, 0):
            return f"hall {code} has events it did not make (seq {seq})"
        if (hall_id, day) in made:
            return f"hall {code} has a simulated {day} already"
    counts = conn.execute(
        select(tickets.c.hall_id, tickets.c.day, func.count()).group_by(
            tickets.c.hall_id, tickets.c.day
        )
    )
    for hall_id, on, count in counts:
        if int(count) != made[hall_id, on]:
            return f"hall {codes.get(hall_id, hall_id)} holds tickets of {on} it did not make"
    return None


def _mark(tx: HallTx, day: str, count: int) -> None:
    tx.audit(MARK, detail={"day": day, "tickets": count, "seq": tx.seq})


async def _main(db_url: str, day: date, seed: int) -> int:
    db = Database(db_url)
    await db.start()
    try:
        refusal = await db.run_read(partial(foreign_data, day=day.isoformat()))
        if refusal is not None:
            print(f"callnext.bench.simulate: refused: {refusal}; it fills only a database of its "
                  "own (a new one will do)", file=sys.stderr)  # fmt: skip
            return REFUSED
        await seed_demo(db, all_day=True)  # the simulated day has its own opening hours
        hall = await db.hall("demo")
        seen = await simulate_day(db, hall, day, seed=seed)
        await db.hall_write(hall.code, partial(_mark, day=day.isoformat(), count=len(seen.records)))
        print(f"simulated {len(seen.records)} tickets on {day} in hall demo ({db_url})")
        return 0
    finally:
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Fill a database with a simulated hall day.")
    parser.add_argument("--db", default="sqlite:///./callnext.db")
    parser.add_argument("--date", type=date.fromisoformat, default=date.today())
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sys.exit(asyncio.run(_main(args.db, args.date, args.seed)))


if __name__ == "__main__":
    main()
