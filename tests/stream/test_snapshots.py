"""A reconnect storm reads the hall once: displays connecting within the second share one
snapshot (live/snapshots.py), each stream its own encoding of it (ids only for the hall's
staff), a new event or the second's end makes a new one, and a display that leaves while it is
read does not take it from the others."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest

from callnext.live.snapshots import SnapshotCache

from ..helpers import Api
from .test_stream import metric, recv_aio

V1, V2 = "/ws/v1/halls/demo", "/ws/v2/halls/demo"


async def first_frames(api: Api, path: str, count: int, **kw: Any) -> list[dict[str, Any]]:
    """`count` displays connect at once; each one's first frame."""

    async def one() -> dict[str, Any]:
        async with api.session.ws_connect(api.ws_base + path, **kw) as ws:
            return await recv_aio(ws)

    return list(await asyncio.gather(*(one() for _ in range(count))))


async def test_a_storm_of_displays_shares_one_snapshot(api: Api) -> None:
    await api.issue("A")
    await api.window(1, "call-next")
    built = await metric(api, "callnext_snapshots_built_total")
    shared = await metric(api, "callnext_snapshots_shared_total")
    hall = await api.hall()
    frames = await first_frames(api, V2, 40)
    assert {f["type"] for f in frames} == {"snapshot"}
    assert {f["seq"] for f in frames} == {hall["seq"]}
    assert all(f == frames[0] for f in frames)
    # one read, or two if the second ran out in the middle of the storm
    assert await metric(api, "callnext_snapshots_built_total") - built <= 2
    assert await metric(api, "callnext_snapshots_shared_total") - shared >= 38
    current = frames[0]["hall"]["windows"][0]["current"]
    assert current["number"] == "A001"
    assert "id" not in current  # the public stream's encoding


async def test_staff_and_public_get_their_own_encoding_of_the_same_read(api: Api) -> None:
    ticket = await api.issue("A")
    await api.window(1, "call-next")
    headers = await api.staff_headers()
    built = await metric(api, "callnext_snapshots_built_total")
    staff, public = await asyncio.gather(
        first_frames(api, V1, 5, headers=headers), first_frames(api, V2, 5)
    )
    assert await metric(api, "callnext_snapshots_built_total") - built <= 2
    assert {f["hall"]["windows"][0]["current"]["id"] for f in staff} == {ticket["id"]}
    assert all("id" not in f["hall"]["windows"][0]["current"] for f in public)


async def test_a_new_event_or_the_seconds_end_makes_a_new_one(api: Api) -> None:
    await first_frames(api, V2, 1)
    built = await metric(api, "callnext_snapshots_built_total")
    [same] = await first_frames(api, V2, 1)  # within the second, nothing new: shared
    assert await metric(api, "callnext_snapshots_built_total") == built
    await api.issue("B")
    [after_event] = await first_frames(api, V2, 1)
    assert after_event["seq"] == same["seq"] + 1
    assert (
        after_event["hall"]["services"][1]["waiting"] == same["hall"]["services"][1]["waiting"] + 1
    )
    assert await metric(api, "callnext_snapshots_built_total") == built + 1
    await asyncio.sleep(1.1)  # SNAPSHOT_TTL_S: estimates and hours change with no event
    [later] = await first_frames(api, V2, 1)
    assert later["seq"] == after_event["seq"]
    assert await metric(api, "callnext_snapshots_built_total") == built + 2


async def test_a_display_leaving_during_the_read_leaves_it_to_the_others() -> None:
    """The read is the cache's own task: cancelling the display that started it (it hung up)
    does not cancel it for those waiting; a failed read reaches each of them."""
    release = asyncio.Event()
    reads = 0

    async def read(code: str) -> dict[str, Any]:
        nonlocal reads
        reads += 1
        await release.wait()
        if code == "broken":
            raise ConnectionError("the database went away")
        return {"code": code, "seq": 7, "windows": [], "services": []}

    cache = SnapshotCache(read)
    first = asyncio.create_task(cache.get("demo", 7))
    await asyncio.sleep(0)
    others = [asyncio.create_task(cache.get("demo", 7)) for _ in range(3)]
    await asyncio.sleep(0)
    first.cancel()
    release.set()
    got = await asyncio.gather(*others)
    with contextlib.suppress(asyncio.CancelledError):
        await first
    assert first.cancelled()
    assert reads == 1
    assert {s.seq for s in got} == {7}
    assert (cache.built, cache.shared) == (1, 3)
    assert b'"type":"snapshot"' in got[0].full.replace(b" ", b"")

    release.clear()
    failing = [asyncio.create_task(cache.get("broken", 1)) for _ in range(2)]
    await asyncio.sleep(0)
    release.set()
    results = await asyncio.gather(*failing, return_exceptions=True)
    assert [type(r) for r in results] == [ConnectionError, ConnectionError]
    assert reads == 2


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_a_display_that_hangs_up_mid_storm_costs_the_others_nothing(api: Api) -> None:
    """Half the displays hang up before their first frame; the rest all get it."""

    async def impatient() -> None:
        async with api.session.ws_connect(api.ws_base + V2) as ws:
            await ws.close()

    results = await asyncio.gather(
        *(impatient() for _ in range(20)), first_frames(api, V2, 20), return_exceptions=True
    )
    assert not [r for r in results if isinstance(r, BaseException)], results
    frames = results[-1]
    assert isinstance(frames, list)
    assert {f["type"] for f in frames} == {"snapshot"}
    assert len(frames) == 20
