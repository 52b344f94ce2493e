"""The benchmark's display streams: many WebSocket clients, each as light as a client can be.

Each connection is a bare asyncio protocol (RFC 6455 by hand: the upgrade, unmasked server
frames in, masked pongs out) that notes, as its bytes arrive, the seq of each ticket.called
frame, with no JSON parsing and no task per connection. The one client process reading 1,000
or 10,000 sockets then costs as little as it can, so what the benchmark times is the server's
fan-out (callnext's, or the floor's), not the client's own work per frame.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import os
import re
import struct
import time
from collections import deque
from urllib.parse import urlsplit

OPEN_BATCH = 200  # displays connecting at once (the server's listen backlog is 1,024)
# Against a server on loopback, the displays come from several loopback addresses, this many
# each, as a hall's screens come from several hosts: within the server's cap per address.
PER_SOURCE = 1000


def source_address(host: str, index: int) -> tuple[str, int] | None:
    """The local address display `index` connects from (None: the system's choice)."""
    if not host.startswith("127."):
        return None
    return (f"127.0.1.{1 + index // PER_SOURCE}", 0)


QUIET_S = 0.25  # the displays have read everything once no frame arrived for this long
SETTLE_TIMEOUT_S = 120.0
OPEN_TIMEOUT_S = 30.0
CALLED = b'"ticket.called"'
SEQ = re.compile(rb'"seq":(\d+)')  # the first is the frame's own: "type", then "seq"
TEXT, CLOSE, PING = 0x1, 0x8, 0x9


def upgrade_request(url: str) -> bytes:
    parts = urlsplit(url)
    key = base64.b64encode(os.urandom(16)).decode()
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return (
        f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode()


def pong(payload: bytes) -> bytes:
    """A client's PONG frame (masked, as RFC 6455 requires of a client)."""
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return struct.pack("!BB", 0x80 | 0xA, 0x80 | len(payload)) + mask + masked


class Displays:
    """N display connections, together noting when each saw the frame of each seq."""

    def __init__(self) -> None:
        self.seen: dict[int, list[float]] = {}
        # the seqs every display has seen, in the order they became so, and a signal for
        # each: the benchmark waits on it instead of scanning `seen` while displays read
        self.complete: list[int] = []
        self.completed = asyncio.Event()
        self.frames = 0  # TEXT frames received, all displays together
        self.latest: deque[str] = deque(maxlen=8)  # the first display's latest frames
        self.sampled = 0  # TEXT frames the first display received
        self.pings = 0  # the server's pings answered, all displays together
        self.connections: list[_Display] = []

    @property
    def count(self) -> int:
        return len(self.connections)

    async def open(self, url: str, count: int, batch: int = OPEN_BATCH) -> None:
        """Open `count` displays, `batch` at a time, each past its upgrade and its snapshot."""
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        loop = asyncio.get_running_loop()
        request = upgrade_request(url)
        for start in range(0, count, batch):
            connecting = [
                loop.create_connection(
                    functools.partial(_Display, self, request, start == 0 and i == 0),
                    host,
                    port,
                    local_addr=source_address(host, start + i),
                )
                for i in range(min(batch, count - start))
            ]
            opened = [display for _, display in await asyncio.gather(*connecting)]
            await asyncio.wait_for(asyncio.gather(*(d.ready for d in opened)), OPEN_TIMEOUT_S)
            self.connections.extend(opened)

    def saw(self, payload: bytes, sample: bool) -> None:
        self.frames += 1
        if sample:
            self.latest.append(payload.decode())
            self.sampled += 1
        if CALLED in payload and (found := SEQ.search(payload)) is not None:
            seq = int(found.group(1))
            times = self.seen.setdefault(seq, [])
            times.append(time.perf_counter())
            if len(times) == self.count:
                self.complete.append(seq)
                self.completed.set()

    async def settle(self) -> None:
        """Wait until the displays have read what was sent them (no frame for QUIET_S), so that
        a press is timed from a quiet start, not behind a backlog of the issuing's frames."""
        deadline = time.perf_counter() + SETTLE_TIMEOUT_S
        seen = -1
        while seen != self.frames and time.perf_counter() < deadline:
            seen = self.frames
            await asyncio.sleep(QUIET_S)

    async def close(self) -> None:
        for display in self.connections:
            display.close()
        await asyncio.sleep(0)


class _Display(asyncio.Protocol):
    """One display's connection: the upgrade, then frames as they arrive."""

    def __init__(self, displays: Displays, request: bytes, sample: bool) -> None:
        self.displays = displays
        self.request = request
        self.sample = sample
        self.buffer = bytearray()
        self.upgraded = False
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(self.buffer[:end]).split(b"\r\n", 1)[0]
            if b" 101 " not in status + b" ":
                self._fail(f"upgrade refused: {status.decode(errors='replace')}")
                return
            del self.buffer[: end + 4]
            self.upgraded = True
        self._frames()

    def _frames(self) -> None:
        buf = self.buffer
        while len(buf) >= 2:
            opcode, size, start = buf[0] & 0x0F, buf[1] & 0x7F, 2
            if size == 126:
                if len(buf) < 4:
                    return
                size, start = struct.unpack_from("!H", buf, 2)[0], 4
            elif size == 127:
                if len(buf) < 10:
                    return
                size, start = struct.unpack_from("!Q", buf, 2)[0], 10
            if len(buf) < start + size:
                return
            payload = bytes(buf[start : start + size])
            del buf[: start + size]
            self._frame(opcode, payload)

    def _frame(self, opcode: int, payload: bytes) -> None:
        if opcode == TEXT:
            if not self.ready.done():
                self.ready.set_result(None)  # the snapshot
            else:
                self.displays.saw(payload, self.sample)
        elif opcode == PING and self.transport is not None:
            self.transport.write(pong(payload))
            self.displays.pings += 1
        elif opcode == CLOSE:
            self.close()

    def _fail(self, why: str) -> None:
        if not self.ready.done():
            self.ready.set_exception(RuntimeError(why))
        self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail("the connection closed")

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()
