"""The hall snapshot a connecting display gets, built once and shared by every display that
connects within a second. In a reconnect storm (a server restart, a switch rebooting the
screens) each display used to read and encode its own: 3–7 ms a connection, growing with the
queue. Those connecting while one is being built wait for it rather than build their own.

An entry serves SNAPSHOT_TTL_S at most, and only while the hall is at its seq: the snapshot
tells things that change with no event (estimates, staffed windows, a service's hours). A
display that gets an entry older than the hall's latest event is not wrong either: the stream
replays it the events after the snapshot's seq from the log before it goes live.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from . import protocol

SNAPSHOT_TTL_S = 1.0


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One hall's snapshot frame, encoded once for each stream: `full` (the hall's staff on
    /ws/v1: tickets with their ids) and `public` (/ws/v2, and /ws/v1 without a staff token)."""

    seq: int
    built: float  # time.monotonic() when it was read
    full: bytes
    public: bytes

    def frame(self, public: bool) -> bytes:
        return self.public if public else self.full


class SnapshotCache:
    """The latest snapshot of each hall, read through `read(hall_code)` (the hall object)."""

    def __init__(
        self,
        read: Callable[[str], Awaitable[dict[str, Any]]],
        ttl_s: float = SNAPSHOT_TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read = read
        self._ttl_s = ttl_s
        self._clock = clock
        self._latest: dict[str, Snapshot] = {}
        self._reading: dict[str, asyncio.Future[Snapshot]] = {}
        self.built = 0  # snapshots read and encoded (callnext_snapshots_built_total)
        self.shared = 0  # connections served one built for another

    async def get(self, hall: str, seq: int) -> Snapshot:
        """A snapshot of `hall` at `seq` (the latest known) or later, built within the last
        second, or a new one; while one is being read, the one being read. The read is the
        cache's own task: a display that leaves meanwhile does not cancel it for the others."""
        latest = self._latest.get(hall)
        if latest is not None and latest.seq >= seq and self._clock() - latest.built <= self._ttl_s:
            self.shared += 1
            return latest
        reading = self._reading.get(hall)
        if reading is None:
            reading = asyncio.ensure_future(self._build(hall))
            self._reading[hall] = reading
            reading.add_done_callback(lambda done: self._done(hall, done))
        else:
            self.shared += 1
        return await asyncio.shield(reading)

    async def _build(self, hall: str) -> Snapshot:
        snapshot = self._encode(await self._read(hall))
        self._latest[hall] = snapshot
        self.built += 1
        return snapshot

    def _done(self, hall: str, reading: asyncio.Future[Snapshot]) -> None:
        if self._reading.get(hall) is reading:
            del self._reading[hall]
        if not reading.cancelled():
            reading.exception()  # a failed read reaches those waiting; none need be left

    def _encode(self, hall: dict[str, Any]) -> Snapshot:
        frame = protocol.snapshot_frame(hall)
        full = protocol.encode(frame).encode()
        public = protocol.encode(protocol.public_frame(frame)).encode()
        return Snapshot(int(hall["seq"]), self._clock(), full, public)

    def forget(self, hall: str) -> None:
        """Drop `hall`'s snapshot (its configuration changed under this process)."""
        self._latest.pop(hall, None)
