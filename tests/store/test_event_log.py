"""The display stream's event log: a `since` far behind gets a snapshot, not the hall's history;
a replay sends each frame's text as stored at its commit (never re-encoded); the log is pruned
of events older than CALLNEXT_EVENT_LOG_DAYS by the app's periodic task, in batches, and a
display whose `since` was pruned gets a snapshot."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection
from websockets.asyncio.client import ClientConnection, connect

from callnext.domain.clock import to_micros, utcnow
from callnext.live import protocol
from callnext.runtime.config import Settings
from callnext.store import event_log
from callnext.store.database import Database
from callnext.store.schema import events, halls
from callnext.store.setup import seed_demo

from ..helpers import Api, running_app, wait_until

Frame = dict[str, object]


async def recv(ws: ClientConnection, wait: float = 10.0) -> Frame:
    return json.loads(await asyncio.wait_for(ws.recv(), wait))  # type: ignore[no-any-return]


async def silent(ws: ClientConnection, seconds: float = 0.3) -> bool:
    try:
        await asyncio.wait_for(ws.recv(), seconds)
    except TimeoutError:
        return True
    return False


def display(
    api: Api, since: int, stream: str = "v1", headers: dict[str, str] | None = None
) -> connect:
    """A display replaying after `since`; `headers`: a staff token's, for v1's ticket ids."""
    url = f"{api.ws_base}/ws/{stream}/halls/demo?since={since}"
    return connect(url, proxy=None, additional_headers=headers)


@pytest.fixture
async def store(settings: Settings) -> AsyncIterator[Database]:
    """A handle on the test's database (migrated, with the demo hall), beside the app's, to
    write and read the log as a test needs."""
    db = Database(settings.db_url)
    await db.start()
    await seed_demo(db, all_day=True)
    try:
        yield db
    finally:
        await db.close()


async def fill(db: Database, count: int, at: datetime) -> tuple[int, int]:
    """Append `count` events (window 1 paused) stamped `at` to the demo hall's log; their
    first and last seq."""
    hall = await db.hall("demo")

    def body(conn: Connection) -> tuple[int, int]:
        seq = conn.execute(select(halls.c.seq).where(halls.c.id == hall.id)).scalar_one()
        rows = [
            {"hall_id": hall.id, "seq": n, "at": to_micros(at), "name": "window.paused",
             "frame": protocol.encode({"type": "event", "seq": n, "at": at.isoformat(),
                                       "event": "window.paused", "window": 1})}
            for n in range(seq + 1, seq + count + 1)
        ]  # fmt: skip
        conn.execute(insert(events), rows)
        conn.execute(update(halls).where(halls.c.id == hall.id).values(seq=seq + count))
        return seq + 1, seq + count

    return await db.run_write(body)


async def stored(db: Database, column: str, after: int) -> list[str]:
    text = func.coalesce(events.c.public, events.c.frame) if column == "public" else events.c.frame
    query = select(text).where(events.c.seq > after).order_by(events.c.seq)
    return await db.run_read(lambda conn: [row[0] for row in conn.execute(query)])


async def test_a_since_far_behind_gets_a_snapshot_and_one_within_the_bound_a_replay(
    api: Api, store: Database
) -> None:
    """On a hall with a 5,000-event log, `?since=0` (old code: 5,000 frames, re-encoded for
    /ws/v2 on every connection) gets one snapshot; 10 behind gets exactly those 10; the bound
    (1,000 by default) replays, one more gets a snapshot."""
    _first, last = await fill(store, 5000, utcnow())
    for stream in ("v1", "v2"):
        async with display(api, 0, stream) as ws:
            first = await recv(ws)
            assert (first["type"], first["seq"]) == ("snapshot", last)
            assert await silent(ws)
        async with display(api, last - 10, stream) as ws:
            replayed = [await recv(ws) for _ in range(10)]
            assert [f["seq"] for f in replayed] == list(range(last - 9, last + 1))
            assert {f["type"] for f in replayed} == {"event"}
            assert await silent(ws)
    async with display(api, last - 1000) as ws:
        assert (await recv(ws))["seq"] == last - 999  # a replay, from the first event it missed
    async with display(api, last - 1001) as ws:
        assert (await recv(ws))["type"] == "snapshot"


async def test_a_replay_sends_each_frame_as_stored_not_re_encoded(
    api: Api, store: Database, settings: Settings
) -> None:
    """/ws/v1 replays the stored `frame`, /ws/v2 the stored `public` text (no ticket ids),
    byte for byte: a stored text changed behind the server's back is what a replay sends. The
    displays connect to a server started after the events (a restart): its hub has followed
    nothing of the hall, so every frame comes from the log."""
    base = (await api.hall())["seq"]
    ticket = await api.issue("A")
    await api.issue("B")
    await api.window(1, "call-next")  # finished (nothing), called: the first ticket
    v1, v2 = await stored(store, "frame", base), await stored(store, "public", base)
    assert len(v1) == len(v2) == 3
    assert ticket["id"] in v1[0]
    assert all(ticket["id"] not in text for text in v2)
    assert v2 == [protocol.public_text(text) for text in v1]  # encoded once, at the commit
    staff = await api.staff_headers()  # v1's stored frame (with ids) is the hall staff's
    marked = v2[0].replace('"ticket.issued"', '"ticket.issued","stored":true')
    await mark(store, base + 1, marked)
    async with running_app(settings) as restarted:
        for stream, texts in (("v1", v1), ("v2", [marked, *v2[1:]])):
            async with display(restarted, base, stream, staff) as ws:
                assert [await asyncio.wait_for(ws.recv(), 10) for _ in texts] == texts


async def test_a_hub_that_follows_the_hall_replays_recent_frames_without_the_log(
    api: Api, store: Database
) -> None:
    """Screens reconnecting with ?since= to the server that published the events (a switch
    rebooting them) are replayed from the hub's ring: no read of the log per display (a stored
    text changed behind the server's back is not what they get), the same frames, in order."""
    base = (await api.hall())["seq"]
    await api.issue("A")
    await api.issue("B")
    await api.window(1, "call-next")
    v2 = await stored(store, "public", base)
    await mark(store, base + 1, v2[0].replace('"ticket.issued"', '"ticket.issued","stored":true'))
    for since in (base, base + 2):
        async with display(api, since, "v2") as ws:
            got = [await asyncio.wait_for(ws.recv(), 10) for _ in v2[since - base :]]
            assert got == v2[since - base :]


async def mark(db: Database, seq: int, public: str) -> None:
    """Change an event's stored public text behind the server's back."""
    query = update(events).where(events.c.seq == seq).values(public=public)
    await db.run_write(lambda conn: conn.execute(query))


async def test_the_periodic_task_prunes_old_events_and_a_pruned_since_gets_a_snapshot(
    settings: Settings, store: Database
) -> None:
    """Events older than event_log_days go (in batches), the newer stay; a display whose
    `since` was pruned gets a snapshot, one within what is kept an exact replay."""
    old_first, old_last = await fill(store, 2500, utcnow() - timedelta(days=8))
    _new_first, new_last = await fill(store, 30, utcnow() - timedelta(hours=1))
    fast = replace(settings, rollover_check_s=0.2, event_log_days=7)
    async with running_app(fast) as api:

        async def pruned() -> bool:
            query = select(func.min(events.c.seq))
            return await store.run_read(lambda c: c.execute(query).scalar()) == old_last + 1

        await wait_until(pruned, timeout=30, interval=0.1)
        left = await store.run_read(lambda c: c.execute(select(func.count(events.c.seq))).scalar())
        assert left == 30
        async with display(api, old_first + 5) as ws:
            assert (await recv(ws))["type"] == "snapshot"
        async with display(api, new_last - 3) as ws:
            assert [(await recv(ws))["seq"] for _ in range(3)] == [
                new_last - 2, new_last - 1, new_last,
            ]  # fmt: skip


async def test_pruning_goes_in_batches_and_keeps_what_is_recent(store: Database) -> None:
    now = utcnow()
    await fill(store, 250, now - timedelta(days=10))
    await fill(store, 5, now - timedelta(days=1))
    hall = await store.hall("demo")
    assert await event_log.prune(store, hall, to_micros(now - timedelta(days=2)), batch=100) == 250
    assert await event_log.prune(store, hall, to_micros(now - timedelta(days=2)), batch=100) == 0
    count = select(func.count(events.c.seq))
    assert await store.run_read(lambda c: c.execute(count).scalar()) == 5
