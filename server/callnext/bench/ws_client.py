"""Display streams read by a third-party client in a process of its own: the `websockets`
library, one connection and one reading task per display, with its defaults (it offers
compression and pings as it would in a hall). `callnext bench --client websockets` reads both
callnext's displays and the floor's this way, so the two are compared under the same client.

The child (`python -m callnext.bench.ws_client URL COUNT`) opens COUNT displays, reads each
one's first frame (the snapshot), then tells its parent, one line each on stdout:
`ready`; `frame JSON` for every frame the first display reads (the floor resends them);
`done SEQ FIRST LAST` once every display has read the ticket.called frame of SEQ, with the
first and the last display's `time.perf_counter()` (CLOCK_MONOTONIC: one clock for every
process of the machine); `settled` when asked (`settle` on stdin) and no frame came for
QUIET_S. `close` on stdin closes the displays and ends it. `ExternalDisplays` is the parent's
side, with what the benchmark reads of `displays.Displays`.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
import time
from collections import deque
from typing import TYPE_CHECKING

from .displays import OPEN_BATCH, OPEN_TIMEOUT_S, QUIET_S, SETTLE_TIMEOUT_S
from .floor import raise_open_files

if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection

CALLED = '"ticket.called"'
SEQ = re.compile(r'"seq":(\d+)')
LINE_LIMIT = 1 << 22  # a frame's line on the pipe


class _Child:
    """The displays of the child process and what it tells its parent."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.seen: dict[int, list[float]] = {}
        self.frames = 0  # frames read, all displays together

    @staticmethod
    def say(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    async def read(self, ws: ClientConnection, first: bool) -> None:
        async for message in ws:
            now = time.perf_counter()
            self.frames += 1
            text = message if isinstance(message, str) else message.decode()
            if first:
                self.say("frame " + text)
            if CALLED in text and (found := SEQ.search(text)) is not None:
                seq = int(found.group(1))
                times = self.seen.setdefault(seq, [])
                times.append(now)
                if len(times) == self.count:
                    self.say(f"done {seq} {min(times)!r} {max(times)!r}")
                    del self.seen[seq]

    async def settle(self) -> None:
        """Until no frame came for QUIET_S (as displays.Displays.settle)."""
        deadline = time.perf_counter() + SETTLE_TIMEOUT_S
        seen = -1
        while seen != self.frames and time.perf_counter() < deadline:
            seen = self.frames
            await asyncio.sleep(QUIET_S)
        self.say("settled")


async def _child(url: str, count: int) -> None:
    from websockets.asyncio.client import connect  # the third party, in this process only

    raise_open_files()
    child, sockets = _Child(count), []
    for start in range(0, count, OPEN_BATCH):
        opening = (connect(url, max_size=None) for _ in range(min(OPEN_BATCH, count - start)))
        batch = await asyncio.wait_for(asyncio.gather(*opening), OPEN_TIMEOUT_S)
        await asyncio.wait_for(asyncio.gather(*(ws.recv() for ws in batch)), OPEN_TIMEOUT_S)
        sockets.extend(batch)
    readers = [asyncio.create_task(child.read(ws, i == 0)) for i, ws in enumerate(sockets)]
    child.say("ready")
    loop = asyncio.get_running_loop()
    commands = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(commands), sys.stdin)
    while (command := (await commands.readline()).decode().strip()) not in ("close", ""):
        if command == "settle":
            await child.settle()
    for ws in sockets:
        await ws.close()
    for reader in readers:
        reader.cancel()


class ExternalDisplays:
    """The parent's side of a child process's displays (see the module's docstring)."""

    def __init__(self) -> None:
        self.seen: dict[int, list[float]] = {}  # seq → [first display's time, last display's]
        self.complete: list[int] = []
        self.completed = asyncio.Event()
        self.latest: deque[str] = deque(maxlen=8)
        self.sampled = 0
        self.count = 0
        self._settled = asyncio.Event()
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    async def open(self, url: str, count: int) -> None:
        self._proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "callnext.bench.ws_client", url, str(count),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=LINE_LIMIT,
        )  # fmt: skip
        assert self._proc.stdout is not None
        timeout = OPEN_TIMEOUT_S * (1 + count // OPEN_BATCH)
        line = await asyncio.wait_for(self._proc.stdout.readline(), timeout)
        if line.strip() != b"ready":
            raise RuntimeError(f"the websockets client did not open its displays: {line!r}")
        self.count = count
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._proc is not None
        assert self._proc.stdout is not None
        async for raw in self._proc.stdout:
            kind, _, rest = raw.decode().rstrip("\n").partition(" ")
            if kind == "frame":
                self.latest.append(rest)
                self.sampled += 1
            elif kind == "done":
                seq, first, last = rest.split()
                self.seen[int(seq)] = [float(first), float(last)]
                self.complete.append(int(seq))
                self.completed.set()
            elif kind == "settled":
                self._settled.set()

    async def _tell(self, command: str) -> None:
        assert self._proc is not None
        assert self._proc.stdin is not None
        self._proc.stdin.write(command.encode() + b"\n")
        await self._proc.stdin.drain()

    async def settle(self) -> None:
        self._settled.clear()
        await self._tell("settle")
        await asyncio.wait_for(self._settled.wait(), SETTLE_TIMEOUT_S + 10)

    async def close(self) -> None:
        if self._proc is None:
            return
        with contextlib.suppress(ConnectionError):
            await self._tell("close")
        try:
            await asyncio.wait_for(self._proc.wait(), 30)
        except TimeoutError:
            self._proc.kill()
            await self._proc.wait()
        if self._reader is not None:
            self._reader.cancel()


if __name__ == "__main__":
    asyncio.run(_child(sys.argv[1], int(sys.argv[2])))
