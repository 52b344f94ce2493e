"""Many halls with simulated history, loaded in bulk, for the overview's benchmark
(bench/overview.py) and its tests: each hall made as `callnext hall add` makes one (services A,
B and C, six windows), then its days' tickets and ratings inserted straight into the tables
(SQLite's executemany, PostgreSQL's COPY): a month of 200 halls in minutes, not hours.

A hall's day is drawn from its own seed, so the same arguments give the same database on either
engine. Each hall has its own character (how long people wait, how often a matter stays pending,
how citizens rate it): the overview has differences to show. Service B is real-name: its tickets
carry a person digest (a made-up one), a third of them a returning person, so trips per matter
have repeat visits. Past days end with nobody waiting; today runs up to now, the tickets whose
call would come later still waiting, and some windows held by a staff session. The simulated
ratings open no follow-ups (the overview reads none).
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from ..domain.clock import to_micros, zone
from ..domain.model import Role
from ..store import accounts
from ..store.database import Database
from ..store.setup import HallSpec, ServiceSpec, create_hall

ADMIN = ("region", "region-pass")  # the admin of every hall the benchmark logs in as
SERVICES = (("A", "综合受理", "General", 0.5), ("B", "不动产登记", "Real estate", 0.3),
            ("C", "社保医保", "Social insurance", 0.2))  # fmt: skip
WINDOWS = {1: ("A",), 2: ("A",), 3: ("A", "B"), 4: ("B",), 5: ("B", "C"), 6: ("C",)}
PLACES = (
    ("东城", "Dongcheng"), ("西城", "Xicheng"), ("南湖", "Nanhu"), ("北山", "Beishan"),
    ("青石", "Qingshi"), ("白沙", "Baisha"), ("金水", "Jinshui"), ("云溪", "Yunxi"),
    ("临江", "Linjiang"), ("松岭", "Songling"), ("柳塘", "Liutang"), ("梅山", "Meishan"),
)  # fmt: skip
TICKET_COLUMNS = (
    "pk", "id", "hall_id", "day", "number", "service", "priority", "status", "outcome", "window",
    "issued_at", "called_at", "last_called_at", "finished_at", "completed_at", "recalls",
    "transfers", "est_at_issue_s", "closed_reason", "queue_at", "person",
)  # fmt: skip
RATING_COLUMNS = ("id", "hall_id", "ticket_pk", "day", "number", "service", "window", "score",
                  "reasons", "source", "at")  # fmt: skip
MIN_US, HOUR_US = 60_000_000, 3_600_000_000


@dataclass(frozen=True)
class Character:
    """How one hall goes: mean wait (min), shares of pending, no-show and cancelled tickets,
    the share of pending matters completed in time, the citizens' scores' weights (5 … 1)."""

    wait_min: float
    pending: float
    no_show: float
    cancelled: float
    in_time: float
    scores: tuple[float, ...]


def character(rng: random.Random) -> Character:
    good = rng.random()
    return Character(
        wait_min=4 + 30 * rng.random() ** 2, pending=0.04 + 0.1 * rng.random(),
        no_show=0.02 + 0.06 * rng.random(), cancelled=0.01 + 0.04 * rng.random(),
        in_time=0.6 + 0.4 * rng.random(),
        scores=(0.55 + 0.4 * good, 0.25, 0.08, 0.05 * (1 - good), 0.04 * (1 - good)),
    )  # fmt: skip


def hall_spec(i: int) -> HallSpec:
    zh, en = PLACES[i % len(PLACES)]
    n = i // len(PLACES) + 1
    tz = "Asia/Urumqi" if i % 10 == 9 else "Asia/Shanghai"  # another offset: its own local day
    return HallSpec(
        code=f"h{i + 1:03d}", name=f"{zh}第{n}政务服务中心", name_en=f"{en} Service Centre {n}",
        timezone=tz, services=tuple(ServiceSpec(c, zh_, en_) for c, zh_, en_, _ in SERVICES),
        windows=WINDOWS,
    )  # fmt: skip


class Rows:
    """The rows of one hall's history, numbered from the given first primary keys."""

    def __init__(self, hall_id: int, tz: str, seed: int, pk: int, rating_id: int) -> None:
        self.hall_id, self.tz = hall_id, tz
        self.rng = random.Random(seed)
        self.kind = character(self.rng)
        self.pk, self.rating_id = pk, rating_id
        self.tickets: list[tuple[Any, ...]] = []
        self.ratings: list[tuple[Any, ...]] = []
        self.counters: list[tuple[Any, ...]] = []
        self.recent: list[str] = []  # persons with a recent real-name visit
        self.persons = 0
        self.due: dict[str, list[str]] = {}  # day → persons coming back then

    def come_back(self, person: str, on: str) -> None:
        """A visit that did not complete: most come back within a week."""
        if self.rng.random() < 0.8:
            back = date.fromisoformat(on) + timedelta(days=self.rng.randint(1, 7))
            self.due.setdefault(back.isoformat(), []).append(person)

    def person(self, on: str) -> str:
        """A real-name ticket's holder: one who was told to come back today, else a recent
        one (a third), else a new one."""
        due = self.due.get(on)
        if due:
            return due.pop()
        if self.recent and self.rng.random() < 0.33:
            return self.rng.choice(self.recent[-60:])
        self.persons += 1
        made = f"k1:{self.hall_id:06x}{self.persons:058x}"
        self.recent.append(made)
        return made

    def day(self, on: str, count: int, now_us: int) -> None:
        """`count` tickets issued on `on` from 8:30 to 16:30; today, in the eight hours before
        now (from midnight when it is earlier), whatever the hour, as a hall open around the
        clock (`serve --demo-all-day`): today has its people at any hour the bench runs."""
        rng = self.rng
        midnight = datetime.combine(date.fromisoformat(on), time(0), tzinfo=zone(self.tz))
        start = to_micros(midnight) + 8 * HOUR_US + 30 * MIN_US
        if start + 8 * HOUR_US > now_us:
            start = max(to_micros(midnight), now_us - 8 * HOUR_US)
        span = min(8 * HOUR_US, now_us - start) if start < now_us else 8 * HOUR_US
        issued = sorted(start + int(rng.random() * span) for _ in range(count))
        numbers = {code: 0 for code, *_ in SERVICES}
        for at in issued:
            if at > now_us:
                break
            code = rng.choices([s[0] for s in SERVICES], [s[3] for s in SERVICES])[0]
            numbers[code] += 1
            self.ticket(on, at, code, numbers[code], now_us)
        self.counters += [(self.hall_id, c, on, n) for c, n in numbers.items() if n]

    def ticket(self, on: str, at: int, code: str, n: int, now_us: int) -> None:
        rng, kind = self.rng, self.kind
        self.pk += 1
        wait = int(rng.expovariate(1 / kind.wait_min) * MIN_US)
        status = "done"
        called: int | None = at + wait
        finished: int | None = at + wait + int((3 + 12 * rng.random()) * MIN_US)
        completed: int | None = finished
        outcome: str | None = "completed"
        window: int | None = rng.choice([w for w, codes in WINDOWS.items() if code in codes])
        roll = rng.random()
        if roll < kind.cancelled:
            status, outcome, completed, called = "cancelled", None, None, None
            finished, window = at + wait // 2, None
        elif roll < kind.cancelled + kind.no_show:
            status, outcome, completed = "no_show", None, None
        elif roll < kind.cancelled + kind.no_show + kind.pending:
            outcome, completed = "pending", None
            if rng.random() < 0.8 and finished is not None:  # the back office completes it
                promise = HOUR_US if rng.random() < kind.in_time else 3 * HOUR_US
                outcome, completed = "completed", finished + int(rng.random() * promise)
        elif code == "B" and rng.random() < kind.pending:  # papers missing: come back (补正)
            outcome, completed = "pending", None
        if finished is not None and finished > now_us:  # today, its call still to come
            status, outcome, completed, called, finished, window = (
                "waiting", None, None, None, None, None)  # fmt: skip
        if completed is not None and completed > now_us:
            completed = None
        person = self.person(on) if code == "B" else None
        if person and (status == "no_show" or (status == "done" and completed is None)):
            self.come_back(person, on)
        est = int(kind.wait_min * 60)
        self.tickets.append((
            self.pk, f"b{self.hall_id:x}x{self.pk:x}", self.hall_id, on, f"{code}{n:03d}", code,
            False, status, outcome, window, at, called, called, finished, completed, 0, 0, est,
            None, at, person,
        ))  # fmt: skip
        if status == "done" and rng.random() < 0.35 and finished is not None:
            self.rating_id += 1
            score = 5 - rng.choices(range(5), kind.scores)[0]
            self.ratings.append((
                self.rating_id, self.hall_id, self.pk, on, f"{code}{n:03d}", code, window, score,
                "[]", "phone", finished + MIN_US,
            ))  # fmt: skip


def days_of(today: str, days: int) -> list[str]:
    last = date.fromisoformat(today)
    return [(last - timedelta(days=k)).isoformat() for k in range(days - 1, -1, -1)]


def hall_rows(
    hall_id: int, tz: str, index: int, days: int, per_day: tuple[int, int], now: datetime,
    pk: int, rating_id: int,
) -> Rows:  # fmt: skip
    """One hall's history: `days` days ending today, `per_day` tickets a day (low, high)."""
    rows = Rows(hall_id, tz, 7919 * index + 1, pk, rating_id)
    today = now.astimezone(zone(tz)).date().isoformat()
    for on in days_of(today, days):
        rows.day(on, rows.rng.randint(*per_day), to_micros(now))
    return rows


async def make_halls(db: Database, count: int) -> list[tuple[int, str]]:
    """The halls h001…, and the admin of every hall; their (id, timezone) in order."""
    for i in range(count):
        await create_hall(db, hall_spec(i))
    await accounts.add_user(db, ADMIN[0], ADMIN[1], Role.ADMIN, None, None)

    def ids(conn: Any) -> list[tuple[int, str]]:
        from sqlalchemy import text

        found = conn.execute(text("SELECT id, timezone FROM halls ORDER BY code"))
        return [(int(i), str(tz)) for i, tz in found]

    return list(await db.run_read(ids))


def each_hall(
    halls: list[tuple[int, str]], days: int, per_day: tuple[int, int], now: datetime
) -> Iterator[Rows]:
    pk = rating_id = 0
    for index, (hall_id, tz) in enumerate(halls):
        rows = hall_rows(hall_id, tz, index, days, per_day, now, pk, rating_id)
        pk, rating_id = rows.pk, rows.rating_id
        yield rows


def staff_windows(rows: Rows, now: datetime) -> list[tuple[Any, ...]]:
    """Today's holds: 2–6 of the hall's windows held by a session until 8 hours from now."""
    held = rows.rng.sample(sorted(WINDOWS), rows.rng.randint(2, 6))
    since, until = to_micros(now) - HOUR_US, to_micros(now) + 8 * HOUR_US
    return [(f"d{rows.hall_id}w{n}", f"w{n}", since, until, rows.hall_id, n) for n in held]


HOLD = "UPDATE windows SET desk_id = {p}, desk_user = {p}, desk_since = {p}, desk_until = {p} " \
       "WHERE hall_id = {p} AND number = {p}"  # fmt: skip


def _insert(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({','.join(columns)}) VALUES ({','.join('?' * len(columns))})"


def load_sqlite(path: str, halls: list[tuple[int, str]], days: int, per_day: tuple[int, int],
                now: datetime) -> int:  # fmt: skip
    """Every hall's history into the SQLite file at `path`; the tickets loaded."""
    conn = sqlite3.connect(path)
    total = 0
    try:
        conn.execute("PRAGMA synchronous = OFF")
        add_tickets, add_ratings = (
            _insert("tickets", TICKET_COLUMNS),
            _insert("ratings", RATING_COLUMNS),
        )
        for rows in each_hall(halls, days, per_day, now):
            with conn:
                conn.executemany(add_tickets, rows.tickets)
                conn.executemany(add_ratings, rows.ratings)
                conn.executemany("INSERT INTO counters VALUES (?,?,?,?)", rows.counters)
                conn.executemany(HOLD.format(p="?"), staff_windows(rows, now))
            total += len(rows.tickets)
        conn.execute("ANALYZE")
    finally:
        conn.close()
    return total


async def load_postgresql(url: str, halls: list[tuple[int, str]], days: int,
                          per_day: tuple[int, int], now: datetime) -> int:  # fmt: skip
    """The same into PostgreSQL by COPY; the sequences moved past the keys used."""
    import asyncpg  # the server's PostgreSQL driver

    plain = url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(plain)
    total = 0
    try:
        hold = HOLD.format(p="${}").format(*range(1, 7))
        for rows in each_hall(halls, days, per_day, now):
            async with conn.transaction():
                await conn.copy_records_to_table("tickets", records=rows.tickets,
                                                 columns=list(TICKET_COLUMNS))  # fmt: skip
                await conn.copy_records_to_table("ratings", records=rows.ratings,
                                                 columns=list(RATING_COLUMNS))  # fmt: skip
                await conn.copy_records_to_table(
                    "counters", records=rows.counters, columns=["hall_id", "service", "day",
                                                                "last"])  # fmt: skip
                await conn.executemany(hold, staff_windows(rows, now))
            total += len(rows.tickets)
        for table, key in (("tickets", "pk"), ("ratings", "id")):
            await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{key}'), "
                               f"(SELECT coalesce(max({key}), 1) FROM {table}))")  # fmt: skip
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return total


async def build(url: str, halls: int, days: int, per_day: tuple[int, int],
                now: datetime) -> int:  # fmt: skip
    """A new database at `url` (empty: the schema is made here) with `halls` halls and `days`
    days of history each; the tickets loaded."""
    db = Database(url)
    await db.start()
    try:
        made = await make_halls(db, halls)
    finally:
        await db.close()
    if url.startswith("sqlite"):
        return load_sqlite(url.split("///", 1)[1], made, days, per_day, now)
    return await load_postgresql(url, made, days, per_day, now)
