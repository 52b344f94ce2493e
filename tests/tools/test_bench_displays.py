"""The benchmark's light display clients (callnext.bench.displays) against a real server."""

from __future__ import annotations

import asyncio
import json

import pytest

from callnext.bench import displays as bench_displays
from callnext.bench.displays import Displays
from callnext.web import stream

from ..helpers import Api, wait_until


def test_a_pong_is_masked_and_carries_the_pings_payload() -> None:
    frame = bench_displays.pong(b"heartbeat")
    assert frame[0] == 0x8A  # FIN, PONG
    assert frame[1] == 0x80 | len(b"heartbeat")  # masked, as a client must
    mask, masked = frame[2:6], frame[6:]
    assert bytes(b ^ mask[i % 4] for i, b in enumerate(masked)) == b"heartbeat"


async def test_displays_see_each_call_and_answer_the_servers_pings(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three displays stay connected over several heartbeats (they answer the pings, or the
    server would close them) and note the seq of the ticket.called each received; the first
    display keeps the frames themselves."""
    monkeypatch.setattr(stream, "HEARTBEAT_S", 2.0)  # a pong is awaited a second
    displays = Displays()
    await displays.open(api.ws_base + "/ws/v2/halls/demo", 3)
    try:

        async def pinged() -> bool:  # two heartbeats each: a display that did not pong is gone
            return displays.pings >= 6

        await wait_until(pinged, timeout=30)
        assert all(not d.transport.is_closing() for d in displays.connections if d.transport)
        await api.issue("A")

        async def issued() -> bool:
            return displays.sampled == 1

        await wait_until(issued, timeout=30)  # the ticket.issued frame is no call:
        assert not displays.completed.is_set()  # nothing completes
        status, body = await api.window(1, "call-next")
        assert status == 200, body
        await asyncio.wait_for(displays.completed.wait(), 30)  # set once all three saw it
        called = [seq for seq, times in displays.seen.items() if len(times) == 3]
        assert len(called) == 1, displays.seen
        assert displays.complete == called
        frame = json.loads(displays.latest[-1])
        assert frame["event"] == "ticket.called"
        assert frame["seq"] == called[0]
        assert displays.sampled == 2  # the first display's ticket.issued, then ticket.called
    finally:
        await displays.close()


async def test_a_refused_upgrade_is_an_error_not_a_hang(api: Api) -> None:
    with pytest.raises(RuntimeError, match="upgrade refused"):
        await Displays().open(api.ws_base + "/ws/v2/halls/nowhere", 1)
