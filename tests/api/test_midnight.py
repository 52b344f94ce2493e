"""Across a hall's real local midnight, before the day rollover's timer runs: no ticket of the day
before is called, counted ahead, shown waiting or estimated (store/queue_sql binds the day).

The clock is the real one. So that midnight comes within seconds whenever the test runs, the
hall's timezone is made for the run: a TZif file (the format of the system's zoneinfo) with one
fixed offset, chosen so that local midnight falls MIDNIGHT_IN_S after the test starts, put on
zoneinfo's search path. (IANA's own zones have midnights only at :00, :15, :30 and :45 UTC, up
to half an hour away.)
"""

from __future__ import annotations

import struct
import uuid
import zoneinfo
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import update

from callnext.domain.clock import day_bounds, local_day, rfc3339, to_micros, utcnow
from callnext.runtime.config import Settings
from callnext.store.database import Database
from callnext.store.schema import halls
from callnext.store.setup import seed_demo

from ..helpers import Api, frames, read_events, running_app, wait_until

MIDNIGHT_IN_S = 15  # room for the setup before it: under a second idle, seconds when loaded


def tzif(offset_s: int, abbreviation: str = "HALL") -> bytes:
    """A TZif (version 2) zone of one fixed UTC offset, with no transitions."""
    designation = abbreviation.encode() + b"\0"

    def header() -> bytes:  # counts: isut, isstd, leap, transitions, types, designation chars
        return b"TZif2" + b"\0" * 15 + struct.pack(">6l", 0, 0, 0, 0, 1, len(designation))

    data = struct.pack(">lBB", offset_s, 0, 0) + designation
    west, a = ("-" if offset_s > 0 else "+"), abs(offset_s)  # POSIX counts west of UTC
    footer = f"\n<{abbreviation}>{west}{a // 3600}:{a % 3600 // 60:02d}:{a % 60:02d}\n"
    return header() + data + header() + data + footer.encode()


@pytest.fixture
def midnight_zone(tmp_path: Path) -> Iterator[str]:
    """A timezone in which local midnight is MIDNIGHT_IN_S seconds away, by the real clock."""
    at = to_micros(utcnow()) // 1_000_000 + MIDNIGHT_IN_S  # UTC seconds of the coming midnight
    offset = -at % 86_400  # local = UTC + offset is a multiple of a day at `at`
    if offset > 14 * 3600:
        offset -= 86_400  # within UTC-10:00 … UTC+14:00, as real zones are
    name = f"Test/Midnight{uuid.uuid4().hex[:8]}"
    path = tmp_path / "zoneinfo" / name
    path.parent.mkdir(parents=True)
    path.write_bytes(tzif(offset))
    zoneinfo.reset_tzpath(to=[str(tmp_path / "zoneinfo"), *zoneinfo.TZPATH])
    try:
        yield name
    finally:
        zoneinfo.reset_tzpath()


async def demo_hall_in(db_url: str, tz: str) -> None:
    """The demo hall, in timezone `tz`."""
    db = Database(db_url)
    await db.start()
    try:
        await seed_demo(db, all_day=True)
        await db.run_write(lambda conn: conn.execute(update(halls).values(timezone=tz)))
    finally:
        await db.close()


async def snapshot_waiting(api: Api) -> dict[str, int]:
    """Each service's waiting count in the display stream's first frame (its snapshot)."""
    async with api.session.ws_connect(f"{api.ws_base}/ws/v1/halls/demo") as ws:
        (first,) = await frames(ws, 1)
    assert first["type"] == "snapshot"
    return {s["code"]: s["waiting"] for s in first["hall"]["services"]}


async def test_no_ticket_of_the_day_before_after_the_halls_midnight(
    settings: Settings, midnight_zone: str
) -> None:
    tz = midnight_zone
    await demo_hall_in(settings.db_url, tz)
    # the rollover runs at start (nothing to do), then not again during the test
    async with running_app(replace(settings, rollover_check_s=3600)) as api:
        for number in (2, 3, 4, 7, 8):  # window 1 alone calls A, windows 5 and 6 B
            status, body = await api.window(number, "pause", {"reason": "lunch"})
            assert status == 200, body
        await api.staff(1, 5, 6)  # only staffed windows serve, and count in the estimates
        before = [await api.issue(s) for s in "AAAB"]
        yesterday = before[0]["day"]
        assert local_day(utcnow(), tz) == yesterday, "the setup outlasted the wait for midnight"
        assert {t["day"] for t in before} == {yesterday}
        assert (before[2]["ahead"], before[2]["est_wait_s"]) == (2, 600)  # A001, A002 ahead

        async def midnight_passed() -> bool:
            return local_day(utcnow(), tz) != yesterday

        await wait_until(midnight_passed, timeout=MIDNIGHT_IN_S + 30, interval=0.1)
        today = local_day(utcnow(), tz)

        # nobody waits: the snapshot (GET and the stream's first frame)
        assert {s["code"]: s["waiting"] for s in (await api.hall())["services"]} == {
            "A": 0, "B": 0, "C": 0}  # fmt: skip
        assert await snapshot_waiting(api) == {"A": 0, "B": 0, "C": 0}
        # yesterday's tickets are shown as the rollover will record them: expired at midnight
        status, shown = await api.request("GET", f"/api/v1/tickets/{before[1]['id']}")
        assert status == 200, shown
        assert (shown["status"], shown["closed_reason"]) == ("cancelled", "expired")
        assert "ahead" not in shown
        assert shown["finished_at"] == rfc3339(day_bounds(yesterday, tz)[1], tz)

        # call-next calls none of them; nor does a call by yesterday's number
        for window in (1, 5):
            status, body = await api.window(window, "call-next")
            assert (status, body["called"]) == (200, None), body
        status, body = await api.window(1, "call", {"number": "A002"})
        assert (status, body["error"]["code"]) == (404, "ticket_not_found"), body

        # a new ticket is the first of the day: number, place and estimate
        first = await api.issue("A")
        assert (first["day"], first["number"], first["ahead"], first["est_wait_s"]) == (
            today, "A001", 0, 0)  # fmt: skip
        issued = [f for f in await read_events(api) if f["event"] == "ticket.issued"]
        assert issued[-1]["ticket"]["id"] == first["id"]
        assert {c: q["waiting"] for c, q in issued[-1]["queues"].items()} == {
            "A": 1, "B": 0, "C": 0}  # fmt: skip
        assert issued[-1]["queues"]["A"]["est_wait_s"] == 300  # one ahead of a new one
        status, desk = await api.request(
            "GET", "/api/v1/halls/demo/windows/1/desk", token=await api.login("w1")
        )
        assert status == 200, desk
        assert desk["queue"]["waiting"] == 1
        assert [t["number"] for t in desk["queue"]["tickets"]] == ["A001"]

        status, body = await api.window(1, "call-next")
        assert body["called"]["id"] == first["id"], body

        # the timer did not do it: no ticket was expired by the rollover yet
        assert not any(f["event"] == "ticket.cancelled" for f in await read_events(api)), (
            "the rollover ran"
        )
        token = await api.login("manager")
        status, listed = await api.request(
            "GET", f"/api/v1/halls/demo/tickets?date={yesterday}", token=token
        )
        assert status == 200, listed
        assert {(t["number"], t["status"]) for t in listed["tickets"]} == {
            ("A001", "cancelled"), ("A002", "cancelled"), ("A003", "cancelled"),
            ("B001", "cancelled")}  # fmt: skip
