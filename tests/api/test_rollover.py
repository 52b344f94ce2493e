"""The day rollover (callnext.rollover): at the end of a hall's local day its tickets still
waiting are closed as expired, numbering restarts, and the history stays queryable."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from functools import partial

from callnext.domain.clock import local_day, utcnow
from callnext.domain.model import Finish
from callnext.runtime.config import Settings
from callnext.store.database import Database
from callnext.store.setup import seed_demo
from callnext.usecases import ticketing, windows
from callnext.usecases.rollover import expire_stale_tickets

from ..helpers import Api, read_events, running_app, wait_until


async def yesterday_with_a_queue(db_url: str) -> str:
    """Yesterday (hall time): A001 served, A002 left at window 1, A003 and B001 still waiting."""
    db = Database(db_url)
    await db.start()
    try:
        await seed_demo(db, all_day=True)
        then = utcnow() - timedelta(days=1)
        for service in ("A", "A", "A", "B"):
            body = partial(ticketing.issue_body, service=service, priority=False, key=None)
            await db.hall_write("demo", body, now=then)
        for how in (Finish.COMPLETED, Finish.COMPLETED):
            body2 = partial(windows.call_next_body, number=1, how=how)
            await db.hall_write("demo", body2, now=then + timedelta(minutes=5))
        return local_day(then, "Asia/Shanghai")
    finally:
        await db.close()


async def test_the_server_expires_yesterdays_queue_when_it_starts(settings: Settings) -> None:
    day = await yesterday_with_a_queue(settings.db_url)
    async with running_app(replace(settings, rollover_check_s=0.2)) as api:

        async def expired() -> bool:
            return (await api.hall())["services"][0]["waiting"] == 0

        await wait_until(expired, timeout=10)
        token = await api.login("manager")
        status, body = await api.request(
            "GET", f"/api/v1/halls/demo/tickets?date={day}", token=token
        )
        assert status == 200
        by_number = {t["number"]: t for t in body["tickets"]}
        assert {n: (t["status"], t["closed_reason"]) for n, t in by_number.items()} == {
            "A001": ("done", None),
            "A002": ("called", None),  # at a window: staff finish it, the rollover does not
            "A003": ("cancelled", "expired"),
            "B001": ("cancelled", "expired"),
        }
        assert by_number["A003"]["finished_at"] is not None
        assert by_number["A003"]["outcome"] is None
        status, figures = await api.request(
            "GET", f"/api/v1/halls/demo/stats?date={day}", token=token
        )
        assert (figures["issued"], figures["cancelled"], figures["served"]) == (4, 2, 1)
        # numbering restarts today; the stream told the screens
        assert (await api.issue("A"))["number"] == "A001"
        frames = [f for f in await read_events(api) if f["event"] == "ticket.cancelled"]
        assert [(f["ticket"]["number"], f["reason"]) for f in frames] == [
            ("A003", "expired"),
            ("B001", "expired"),
        ]
        assert frames[-1]["queues"]["A"]["waiting"] == 0


async def test_the_rollover_is_idempotent_and_leaves_today_alone(api: Api, db_url: str) -> None:
    today = await api.issue("A")
    db = Database(db_url)
    await db.start()
    try:
        assert await expire_stale_tickets(db) == 0
        assert await expire_stale_tickets(db) == 0
    finally:
        await db.close()
    status, body = await api.request("GET", f"/api/v1/tickets/{today['id']}")
    assert status == 200
    assert body["status"] == "waiting"
    assert body["closed_reason"] is None
