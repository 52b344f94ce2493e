"""The display stream's ?since=: replay, bad values, a display far behind, and restarts.

What is asserted for each kind of `since` (S = the hall's current seq):
- since < S, recent: exactly the events after `since`, in order, the same bytes a live display
  got, then live events. No snapshot.
- since == S: nothing until the next change, then that event.
- since > S (a display that knew a newer seq, e.g. of a database that was restored): a
  snapshot at S, then live events from S + 1.
- since far behind (more events than the connection's queue holds): still every event after
  it, in order, then live ones; the display is not dropped.
- not a non-negative integer: 400 `{"error": {"code": "bad_since"}}` before any upgrade.
"""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from websockets.asyncio.client import ClientConnection, connect

from callnext.live import hub, protocol

from ..helpers import Api, ServerProcess

WS_PATH = "/ws/v1/halls/demo"

Frame = dict[str, Any]


async def recv(ws: ClientConnection, wait: float = 5.0) -> Frame:
    return json.loads(await asyncio.wait_for(ws.recv(), wait))  # type: ignore[no-any-return]


async def silent(ws: ClientConnection, seconds: float = 0.3) -> bool:
    """True when no frame arrives for `seconds`."""
    try:
        await asyncio.wait_for(ws.recv(), seconds)
    except TimeoutError:
        return True
    return False


def display(base: str, since: int | None = None, headers: dict[str, str] | None = None) -> connect:
    """A display of the demo hall; `headers`: a staff token's, for the tickets' ids."""
    ws_base = "ws" + base.removeprefix("http")
    query = "" if since is None else f"?since={since}"
    return connect(f"{ws_base}{WS_PATH}{query}", proxy=None, additional_headers=headers)


async def changes(api: Api, n: int) -> None:
    """n changes of the demo hall (tickets issued)."""
    for _ in range(n):
        await api.issue("A")


async def test_since_replays_exactly_the_events_after_it_then_live(api: Api) -> None:
    """?since=S gives the events after S in order, byte for byte as a live display got them,
    then live events; no snapshot first."""
    staff = await api.staff_headers()
    async with display(api.base, headers=staff) as live:
        base = (await recv(live))["seq"]
        await changes(api, 8)
        await api.window(1, "call-next")
        seen = [await asyncio.wait_for(live.recv(), 5) for _ in range(9)]
    for since in (base, base + 3, base + 8):
        async with display(api.base, since, staff) as ws:
            count = base + len(seen) - since
            replayed = [await asyncio.wait_for(ws.recv(), 5) for _ in range(count)]
            assert replayed == seen[since - base :]
            assert await silent(ws)
            ticket = await api.issue("B")
            text = await asyncio.wait_for(ws.recv(), 5)
            frame = json.loads(text)
            assert (frame["seq"], frame["ticket"]["id"]) == (base + len(seen) + 1, ticket["id"])
            seen.append(text)


async def test_since_equal_to_the_current_seq_waits_for_the_next_change(api: Api) -> None:
    """?since=S with S the current seq sends nothing until the next change, then seq S + 1."""
    await changes(api, 3)
    current = (await api.hall())["seq"]
    async with display(api.base, current) as ws:
        assert await silent(ws, 0.5)
        await api.window(2, "pause")
        frame = await recv(ws)
    assert (frame["type"], frame["seq"]) == ("event", current + 1)
    assert (frame["event"], frame["window"]) == ("window.paused", 2)


async def test_since_beyond_the_current_seq_gets_a_snapshot(api: Api) -> None:
    """?since=S+100 (never sent by this server) gives a snapshot at S, then events from S + 1."""
    await changes(api, 2)
    hall = await api.hall()
    async with display(api.base, hall["seq"] + 100) as ws:
        first = await recv(ws)
        assert first == {"type": "snapshot", "seq": hall["seq"], "hall": hall}
        await changes(api, 1)
        assert (await recv(ws))["seq"] == hall["seq"] + 1


async def test_a_bad_since_or_hall_is_a_json_error_before_upgrade(api: Api) -> None:
    """A since that is not a non-negative integer: 400 JSON error, no WebSocket upgrade; an
    unknown hall: 404. The server goes on answering."""
    for since in ["", "abc", "-1", "1.5", "1e3", " 1", "0x10", "²", "9" * 19]:
        with pytest.raises(aiohttp.WSServerHandshakeError) as failed:
            await api.session.ws_connect(api.ws_base + WS_PATH, params={"since": since})
        assert failed.value.status == 400, since
        async with api.session.get(api.base + WS_PATH, params={"since": since}) as resp:
            assert resp.status == 400, since
            assert (await resp.json())["error"]["code"] == "bad_since"
    async with api.session.get(api.base + "/ws/v1/halls/nowhere") as resp:
        assert resp.status == 404
        assert (await resp.json())["error"]["code"] == "hall_not_found"
    assert (await api.request("GET", "/healthz"))[0] == 200


async def test_a_display_far_behind_is_replayed_not_dropped(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A since more events back than the connection's queue holds still gets every event after
    it, in order, then live ones, and is not closed (a drop would send it back with the same
    since, forever). hub.MAX_UNSENT_KIB is read when a connection opens: lowered to keep this
    fast."""
    monkeypatch.setattr(hub, "MAX_UNSENT_KIB", 16)
    await changes(api, 40)
    current = (await api.hall())["seq"]
    async with display(api.base, 0) as ws:
        replayed = [await recv(ws) for _ in range(current)]
        await changes(api, 1)
        live = await recv(ws)
    assert [f["seq"] for f in replayed] == list(range(1, current + 1))
    assert {f["type"] for f in replayed} == {"event"}
    assert live["seq"] == current + 1


async def test_replay_across_a_restart_has_no_gap_and_no_duplicate(tmp_path: Path) -> None:
    """With `callnext serve` on a SQLite file: read some events, SIGTERM (the display gets
    close 1001 and the process exits promptly), restart, change the hall, reconnect with
    ?since=last: exactly the missed events, in order, then live ones; seq goes on."""
    server = ServerProcess(f"sqlite:///{tmp_path / 'restart.db'}")
    await asyncio.to_thread(server.start)
    try:
        async with aiohttp.ClientSession() as session:
            api = Api(server.base, session)
            async with display(server.base) as ws:
                assert (await recv(ws))["type"] == "snapshot"
                await changes(api, 3)
                await api.window(1, "call-next")
                events = [await recv(ws) for _ in range(4)]
                last = events[-1]["seq"]
                await changes(api, 2)  # committed, not read by this display before the stop
                assert server.proc is not None
                server.proc.send_signal(signal.SIGTERM)
                exit_code = await asyncio.to_thread(server.proc.wait, 8)
                assert exit_code == 0
                await asyncio.wait_for(ws.wait_closed(), 5)
                assert ws.close_code == protocol.CLOSE_SHUTDOWN
            await asyncio.to_thread(server.start)
            await api.window(1, "call-next")  # finishes A001, calls A002: two events
            async with display(server.base, last) as ws:
                missed = [await recv(ws) for _ in range(4)]
                assert await silent(ws)
                await api.window(2, "pause")
                live = await recv(ws)
            hall = await api.hall()
    finally:
        await asyncio.to_thread(server.stop)
    seqs = [e["seq"] for e in [*events, *missed, live]]
    assert seqs == list(range(1, 10))
    names = [e["event"] for e in missed]
    assert names == ["ticket.issued", "ticket.issued", "ticket.finished", "ticket.called"]
    assert [e["ticket"]["number"] for e in missed] == ["A004", "A005", "A001", "A002"]
    assert live["event"] == "window.paused"
    assert hall["seq"] == 9
