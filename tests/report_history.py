"""A demo hall with a known past, for the report tests: days before today built through the use
cases (actions.*_body) with fixed clocks (Database.hall_write's `now`), so that every figure of
those days is known exactly. No ticket of a past day is left waiting or called (the day
rollover would close it)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from callnext.domain.model import Finish, Role
from callnext.store import accounts
from callnext.store.database import Database
from callnext.store.setup import HallSpec, ServiceSpec, create_hall, seed_demo
from callnext.usecases import ticketing, windows

TZ = ZoneInfo("Asia/Shanghai")
HALL = "demo"


def today() -> date:
    return datetime.now(TZ).date()


def day(offset: int) -> str:
    """The local day `offset` days from today (negative: the past)."""
    return (today() + timedelta(days=offset)).isoformat()


def local(on: str, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return datetime.combine(date.fromisoformat(on), time(hh, mm, ss), tzinfo=TZ)


# Another hall, whose manager may not read the demo hall's reports.
NORTH = HallSpec(
    code="north", name="北区分中心", name_en="North", timezone="Asia/Shanghai",
    services=(ServiceSpec("A", "综合受理", "General"),), windows={1: ("A",)},
)  # fmt: skip

# The days of the history, from today.
OLD, D1, D2 = -40, -3, -1


class History:
    """Acts on the demo hall at given moments; remembers each ticket's id by (day, number)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.ids: dict[tuple[str, str], str] = {}

    async def _at(self, moment: datetime, body: Any) -> Any:
        return await self.db.hall_write(HALL, body, now=moment)

    async def issue(self, moment: datetime, service: str) -> str:
        ticket, _ = await self._at(
            moment, partial(ticketing.issue_body, service=service, priority=False, key=None)
        )
        self.ids[(ticket["day"], ticket["number"])] = ticket["id"]
        return str(ticket["number"])

    async def call_next(self, moment: datetime, window: int, finish: str = "completed") -> Any:
        how = Finish(finish)
        return await self._at(moment, partial(windows.call_next_body, number=window, how=how))

    async def finish(self, moment: datetime, window: int, how: str) -> None:
        await self._at(moment, partial(windows.finish_body, number=window, how=Finish(how)))

    async def complete(self, moment: datetime, on: str, number: str) -> None:
        ticket_id = self.ids[(on, number)]
        await self._at(moment, partial(ticketing.complete_body, ticket_id=ticket_id))

    async def cancel(self, moment: datetime, on: str, number: str) -> None:
        ticket_id = self.ids[(on, number)]
        await self._at(moment, partial(ticketing.cancel_body, ticket_id=ticket_id))


async def d1(h: History) -> None:
    """Three days ago. Waits: A001 5:00, A002 9:30, A003 28:00 (then no-show), B001 59:00.
    Services: A001 5:00, A002 20:00 (pending at 9:30, completed 11:00: 90 min, late),
    B001 20:00. A004 is cancelled."""
    on = day(D1)
    await h.issue(local(on, 9), "A")  # A001
    await h.issue(local(on, 9, 0, 30), "A")  # A002
    await h.issue(local(on, 9, 1), "B")  # B001
    await h.issue(local(on, 9, 2), "A")  # A003
    await h.call_next(local(on, 9, 5), 1)  # A001
    await h.call_next(local(on, 9, 10), 1)  # A001 completed, A002 called
    await h.call_next(local(on, 9, 30), 1, "pending")  # A002 pending, A003 called
    await h.finish(local(on, 9, 35), 1, "no_show")
    await h.call_next(local(on, 10), 5)  # B001
    await h.finish(local(on, 10, 20), 5, "completed")
    await h.complete(local(on, 11), on, "A002")
    await h.issue(local(on, 14), "A")  # A004
    await h.cancel(local(on, 14, 1), on, "A004")


async def d2(h: History) -> None:
    """Yesterday. C001: wait 10:00, service 5:00, completed. B001: wait 5:00, service 5:00,
    accepted as pending at 16:10 and never completed (overdue since 17:10)."""
    on = day(D2)
    await h.issue(local(on, 8, 30), "C")
    await h.call_next(local(on, 8, 40), 7)
    await h.finish(local(on, 8, 45), 7, "completed")
    await h.issue(local(on, 16), "B")
    await h.call_next(local(on, 16, 5), 5)
    await h.finish(local(on, 16, 10), 5, "pending")


async def old(h: History) -> None:
    """Forty days ago, outside the default 30 days: one ticket, cancelled."""
    on = day(OLD)
    await h.issue(local(on, 10), "A")
    await h.cancel(local(on, 10, 3), on, "A001")


async def build_history(db_url: str) -> History:
    """The demo hall (with its accounts and an admin `boss`/`demo`) and its past days; the
    hall `north` with its manager `north-manager`/`demo`."""
    db = Database(db_url)
    await db.start()
    try:
        await seed_demo(db, all_day=True)
        await accounts.add_user(db, "boss", "demo", Role.ADMIN, None, None)
        await create_hall(db, NORTH)
        await accounts.add_user(db, "north-manager", "demo", Role.MANAGER, "north", None)
        history = History(db)
        for build in (old, d1, d2):
            await build(history)
        return history
    finally:
        await db.close()
