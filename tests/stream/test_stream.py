"""The display stream (/ws/v1/halls/{hall}): snapshot, events, order, commit, fan-out, pings.

Real WebSocket clients (`websockets` and aiohttp) against a real server; replay with ?since=
and restarts are in test_stream_replay.py.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import time
from datetime import datetime
from typing import Any

import aiohttp
import pytest
from websockets.asyncio.client import ClientConnection, connect

from callnext.live import hub, protocol
from callnext.store.database import Database
from callnext.store.setup import HallSpec, ServiceSpec, create_hall
from callnext.web import stream

from ..helpers import FRAME_WAIT_S, Api

WS_PATH = "/ws/v1/halls/demo"
FRAME_KEYS = {"type", "seq", "at", "event", "ticket", "window"}

Frame = dict[str, Any]


def ws_connect(api: Api, headers: dict[str, str] | None = None, **kwargs: Any) -> connect:
    """A `websockets` client of the demo hall's stream (no proxy from the environment);
    `headers`: api.staff_headers() for the tickets' ids."""
    return connect(api.ws_base + WS_PATH, proxy=None, additional_headers=headers, **kwargs)


async def recv_ws(ws: ClientConnection, wait: float = 30.0) -> Frame:
    """The next frame of a `websockets` client."""
    return json.loads(await asyncio.wait_for(ws.recv(), wait))  # type: ignore[no-any-return]


async def recv_aio(ws: aiohttp.ClientWebSocketResponse, wait: float = 30.0) -> Frame:
    """The next frame of an aiohttp client; anything but a text frame fails the test."""
    msg = await ws.receive(wait)
    assert msg.type is aiohttp.WSMsgType.TEXT, (msg, ws.close_code)
    return json.loads(msg.data)  # type: ignore[no-any-return]


async def metric(api: Api, name: str) -> float:
    status, text = await api.request("GET", "/metrics")
    assert status == 200
    match = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    assert match, f"{name} missing from /metrics"
    return float(match.group(1))


async def test_first_frame_is_the_hall_snapshot(api: Api) -> None:
    """The first frame is {"type": "snapshot", "seq": S, "hall": the object of GET /halls/demo}."""
    await api.issue("A")
    await api.window(1, "call-next")
    await api.issue("B")
    async with ws_connect(api) as ws:
        first = await recv_ws(ws)
    hall = await api.hall()
    assert hall["seq"] == 3
    assert first == {"type": "snapshot", "seq": 3, "hall": hall}


async def test_every_action_sends_its_event_in_seq_order(api: Api) -> None:
    """Each of the nine actions sends its named event with the contract's fields, one seq each;
    call-next over a current ticket sends ticket.finished then ticket.called, consecutively."""
    headers = await api.staff_headers()  # the hall's staff see the tickets' ids
    async with api.session.ws_connect(api.ws_base + WS_PATH, headers=headers) as ws:
        snap = await recv_aio(ws)
        a1, a2, b1 = await api.issue("A"), await api.issue("A"), await api.issue("B")
        assert (await api.window(1, "call-next"))[0] == 200
        assert (await api.window(1, "recall"))[0] == 200
        assert (await api.window(1, "call-next", {"finish": "pending"}))[0] == 200
        assert (await api.window(1, "transfer", {"service": "B"}))[0] == 200
        assert (await api.request("POST", f"/api/v1/tickets/{b1['id']}/cancel"))[0] == 200
        token = await api.login("w1")
        path = f"/api/v1/tickets/{a1['id']}/complete"
        assert (await api.request("POST", path, token=token))[0] == 200
        assert (await api.window(2, "pause", {"reason": "lunch"}))[0] == 200
        assert (await api.window(2, "resume"))[0] == 200
        frames = [await recv_aio(ws) for _ in range(12)]
        with pytest.raises(asyncio.TimeoutError):
            await ws.receive(0.3)  # nothing more than one frame per change

    a1_id, a2_id, b1_id = a1["id"], a2["id"], b1["id"]
    expected = [
        ("ticket.issued", a1_id, None),
        ("ticket.issued", a2_id, None),
        ("ticket.issued", b1_id, None),
        ("ticket.called", a1_id, 1),
        ("ticket.recalled", a1_id, 1),
        ("ticket.finished", a1_id, 1),
        ("ticket.called", a2_id, 1),
        ("ticket.transferred", a2_id, 1),
        ("ticket.cancelled", b1_id, None),
        ("ticket.completed", a1_id, 1),
        ("window.paused", None, 2),
        ("window.resumed", None, 2),
    ]
    got = [(f["event"], f["ticket"] and f["ticket"]["id"], f["window"]) for f in frames]
    assert got == expected
    # the contract's nine; the extensions are tested with the settings and desk APIs
    extensions = {
        protocol.HALL_UPDATED,
        protocol.WINDOW_TAKEN,
        protocol.WINDOW_RELEASED,
        protocol.TICKET_RATED,  # tested with the ratings
        protocol.APPOINTMENT_BOOKED,  # these three with the appointments
        protocol.APPOINTMENT_CANCELLED,
        protocol.APPOINTMENT_CHECKED_IN,
        protocol.FOLLOWUP_CHANGED,  # with the follow-ups
    }
    assert {e[0] for e in expected} == protocol.EVENT_NAMES - extensions
    assert [f["seq"] for f in frames] == list(range(snap["seq"] + 1, snap["seq"] + 13))
    for f in frames:
        assert set(f) >= FRAME_KEYS
        assert f["type"] == "event"
        assert datetime.fromisoformat(f["at"]).utcoffset() is not None
    called, recalled, finished, called2 = frames[3:7]
    assert called["announce"]["text"] == "请A001号到1号窗口办理"
    assert recalled["announce"]["text"] == "请A001号到1号窗口办理"
    assert called2["announce"]["text"] == "请A002号到1号窗口办理"
    assert "announce" not in frames[0]
    assert "announce" not in finished
    assert finished["ticket"]["outcome"] == "pending"
    assert called2["seq"] == finished["seq"] + 1
    assert (frames[7]["ticket"]["service"], frames[7]["ticket"]["status"]) == ("B", "waiting")
    assert frames[9]["ticket"]["outcome"] == "completed"


async def test_a_frame_goes_out_only_after_commit(api: Api) -> None:
    """When a display sees ticket.issued for X, GET /api/v1/tickets/X already answers 200,
    for every ticket of a burst from four concurrent kiosks; seqs stay gapless."""
    checked: list[str] = []
    async with ws_connect(api, await api.staff_headers()) as ws:
        start = (await recv_ws(ws))["seq"]

        async def kiosk(n: int) -> None:
            for _ in range(n):
                await api.issue("A")

        async def display(n: int) -> list[int]:
            seqs = []
            async with aiohttp.ClientSession() as other:  # its own connections: no queueing
                for _ in range(n):
                    frame = await recv_ws(ws)
                    seqs.append(frame["seq"])
                    ticket = frame["ticket"]
                    async with other.get(f"{api.base}/api/v1/tickets/{ticket['id']}") as resp:
                        assert resp.status == 200, (frame["seq"], await resp.text())
                        assert (await resp.json())["number"] == ticket["number"]
                    checked.append(ticket["id"])
            return seqs

        seqs, *_ = await asyncio.gather(display(60), *(kiosk(15) for _ in range(4)))
    assert seqs == list(range(start + 1, start + 61))
    assert len(set(checked)) == 60


async def test_a_stuck_display_is_dropped_and_never_delays_the_others(
    api: Api, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client that never reads is dropped (callnext_displays_dropped_total + 1, close 4000)
    while three normal clients get every event within 1 s of the call that made it.

    To keep this fast: hub.MAX_UNSENT_KIB is read when a connection opens (Subscriber's default
    queue), so it is lowered here; the hall has 300 services, so each frame (with its "queues")
    is ~11 KB; and the stuck client's tiny receive buffer and segment size keep the kernel from
    absorbing megabytes."""
    monkeypatch.setattr(hub, "MAX_UNSENT_KIB", 8)
    codes = [a + b for a in "ABCDEFGHIJKL" for b in "ABCDEFGHIJKLMNOPQRSTUVWXY"]
    spec = HallSpec("big", "大厅", "Big hall", "Asia/Shanghai",
                    tuple(ServiceSpec(c, c, c) for c in codes), {1: (codes[0],)})  # fmt: skip
    setup_db = Database(db_url)
    await create_hall(setup_db, spec)
    await setup_db.close()
    path = "/ws/v1/halls/big"
    dropped_before = await metric(api, "callnext_displays_dropped_total")

    loop = asyncio.get_running_loop()
    stuck = socket.socket()
    stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    stuck.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 88)
    stuck.setblocking(False)
    host, port = api.base.removeprefix("http://").split(":")
    await loop.sock_connect(stuck, (host, int(port)))
    await loop.sock_sendall(stuck, (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n"
    ).encode())  # fmt: skip
    received = await asyncio.wait_for(loop.sock_recv(stuck, 256), 5)
    assert received.startswith(b"HTTP/1.1 101"), received
    # from here on the stuck client reads nothing until the end of the test

    async with (
        connect(api.ws_base + path, proxy=None) as ws1,
        connect(api.ws_base + path, proxy=None, max_queue=1) as ws2,
        api.session.ws_connect(api.ws_base + path) as ws3,
    ):
        seq = (await recv_ws(ws1))["seq"]
        assert (await recv_ws(ws2))["seq"] == seq
        assert (await recv_aio(ws3))["seq"] == seq
        for i in range(300):
            await api.issue(codes[i % len(codes)], hall="big")
            seq += 1
            t0 = time.monotonic()
            frames = [await recv_ws(ws1, 10), await recv_ws(ws2, 10), await recv_aio(ws3, 10)]
            assert [f["seq"] for f in frames] == [seq] * 3
            assert time.monotonic() - t0 < 10  # not held behind the slow one (a loaded machine)
            if i % 10 == 9 and await metric(api, "callnext_displays_dropped_total") > 0:
                break
        assert await metric(api, "callnext_displays_dropped_total") == dropped_before + 1
        assert await metric(api, "callnext_display_connections") == 3

    # The stuck client now reads: a prefix of the frames in order, then the close with 4000.
    data = received
    while chunk := await asyncio.wait_for(loop.sock_recv(stuck, 1 << 16), 10):
        data += chunk
    stuck.close()
    frames = ws_frames(data.partition(b"\r\n\r\n")[2])
    texts = [json.loads(payload) for op, payload in frames if op == 0x1]
    assert texts[0]["type"] == "snapshot"
    assert [t["seq"] for t in texts] == list(range(texts[0]["seq"], texts[0]["seq"] + len(texts)))
    assert frames[-1][0] == 0x8  # close
    assert int.from_bytes(frames[-1][1][:2]) == protocol.CLOSE_TOO_SLOW


def ws_frames(data: bytes) -> list[tuple[int, bytes]]:
    """(opcode, payload) of the unmasked frames a server sent, in order."""
    out, i = [], 0
    while i + 2 <= len(data):
        opcode, size = data[i] & 0x0F, data[i + 1] & 0x7F
        i += 2
        if size >= 126:
            width = 2 if size == 126 else 8
            size, i = int.from_bytes(data[i : i + width]), i + width
        out.append((opcode, data[i : i + size]))
        i += size
    return out


async def test_the_server_pings_at_least_every_30_s(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The WebSocketResponse heartbeat is <= 30 s; a real client sees the server's pings; one
    that answers them keeps receiving events, one that stops answering is closed.

    HEARTBEAT_S is read when a connection opens, so it is shortened here to keep the test fast."""
    assert 0 < stream.HEARTBEAT_S <= 30
    # 1 s: aiohttp waits half a period for the pong, time enough for a loaded test machine
    monkeypatch.setattr(stream, "HEARTBEAT_S", 1.0)
    headers = await api.staff_headers()
    async with (
        api.session.ws_connect(api.ws_base + WS_PATH, autoping=False) as manual,
        ws_connect(api, headers) as auto,
    ):
        first = await manual.receive(FRAME_WAIT_S)
        while first.type is aiohttp.WSMsgType.PING:  # a loaded machine: a ping (1 s) may come
            await manual.pong(first.data)  # before the snapshot is read; answered, as a client
            first = await manual.receive(FRAME_WAIT_S)
        assert first.type is aiohttp.WSMsgType.TEXT  # the snapshot
        await recv_ws(auto)
        for _ in range(3):
            msg = await manual.receive(FRAME_WAIT_S)
            assert msg.type is aiohttp.WSMsgType.PING, msg
            await manual.pong(msg.data)
        # `manual` answers no more pings: the server closes it (pings it left unanswered, then
        # the end); `auto` (websockets) answers them by itself and still gets every event.
        msg = await manual.receive(FRAME_WAIT_S)
        while msg.type is aiohttp.WSMsgType.PING:
            msg = await manual.receive(FRAME_WAIT_S)
        assert msg.type in {aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED}, msg
        ticket = await api.issue("A")
        assert (await recv_ws(auto))["ticket"]["id"] == ticket["id"]


def test_each_connection_pings_at_its_own_period_within_the_contracts() -> None:
    """Screens that connect together (after a restart) drift apart in their pings."""
    periods = {stream.heartbeat_s() for _ in range(200)}
    assert len(periods) > 150
    assert min(periods) >= stream.HEARTBEAT_S * (1 - stream.HEARTBEAT_JITTER)
    assert max(periods) <= stream.HEARTBEAT_S <= 30
    assert max(periods) - min(periods) > stream.HEARTBEAT_S * stream.HEARTBEAT_JITTER / 2


async def test_200_displays_get_the_same_events_in_the_same_order(api: Api) -> None:
    """200 concurrent displays (100 `websockets`, 100 aiohttp) receive the same frames, in the
    same order, after the same snapshot seq."""
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        opened = await asyncio.gather(
            *(ws_connect(api) for _ in range(100)),
            *(session.ws_connect(api.ws_base + WS_PATH) for _ in range(100)),
        )
        pyws: list[ClientConnection] = opened[:100]
        aiows: list[aiohttp.ClientWebSocketResponse] = opened[100:]
        try:
            firsts = await asyncio.gather(
                *(recv_ws(ws) for ws in pyws), *(recv_aio(ws) for ws in aiows)
            )
            assert {f["seq"] for f in firsts} == {firsts[0]["seq"]}
            assert await metric(api, "callnext_display_connections") == 200
            await api.issue("A")
            await api.issue("B")
            await api.window(1, "call-next")
            await api.window(5, "call-next")
            await api.window(1, "recall")
            await api.window(1, "call-next")  # finishes A001, nothing waits for window 1

            async def texts_ws(ws: ClientConnection) -> list[str]:
                return [str(await asyncio.wait_for(ws.recv(), 60)) for _ in range(6)]

            async def texts_aio(ws: aiohttp.ClientWebSocketResponse) -> list[str]:
                return [(await ws.receive(60)).data for _ in range(6)]  # loaded: no speed test

            seen = await asyncio.gather(
                *(texts_ws(ws) for ws in pyws), *(texts_aio(ws) for ws in aiows)
            )
        finally:
            await asyncio.gather(*(ws.close() for ws in opened))
    assert all(texts == seen[0] for texts in seen)
    events = [json.loads(t) for t in seen[0]]
    assert [e["seq"] for e in events] == list(range(firsts[0]["seq"] + 1, firsts[0]["seq"] + 7))
    assert [e["event"] for e in events][-2:] == ["ticket.recalled", "ticket.finished"]
