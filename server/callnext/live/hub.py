"""The event fan-out: committed events, in seq order, to every display of a hall.

Each event's WebSocket frame (header and payload, as the server sends it, unmasked) is built
ONCE per channel and written, with no await, straight to the transport of every connection
of the channel: no queue and no writer task per connection. A connection's bound is its
transport's write buffer: one holding more than MAX_UNSENT_KIB KiB not yet taken by the kernel is
dropped (it reconnects with ?since=), so a slow screen never delays the others. A short ring of
recent frames per channel lets a new connection take its snapshot or replay and join the live
flow with no await in between.

aiohttp writes its own frames (pings, pongs, the close) the same way, each whole in one
synchronous write, so the two never interleave mid-frame; a connection is detached before its
close frame is sent, so no event follows the close.
"""

from __future__ import annotations

import asyncio
import logging
import struct
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

log = logging.getLogger(__name__)

RING_SIZE = 512
MAX_UNSENT_KIB = 1024  # KiB a connection may leave unsent (its write buffer) before it is dropped
GAP_REPAIR_DELAY_S = 0.5


class Committed(Protocol):
    hall: str
    seq: int
    frame: str  # /ws/v1's text for the hall's staff (tickets with their ids)
    public: str  # the public text (/ws/v2, anonymous /ws/v1): the same frame with no ticket ids


class Transport(Protocol):
    """What the hub needs of a connection's transport (asyncio's, under aiohttp)."""

    def write(self, data: bytes) -> None: ...
    def get_write_buffer_size(self) -> int: ...
    def is_closing(self) -> bool: ...


FetchAfter = Callable[[str, int], Awaitable[list[tuple[int, str]]]]
# A hall's public channel: the same events, tickets without their ids. Every /ws/v2 connection
# and every /ws/v1 connection without a staff token of the hall share it (one encoding each).
PUBLIC = "/v2"


def public_channel(hall: str) -> str:
    return hall + PUBLIC


def split_channel(channel: str) -> tuple[str, bool]:
    """A channel's hall, and whether it is the public (v2) one."""
    if channel.endswith(PUBLIC):
        return channel.removesuffix(PUBLIC), True
    return channel, False


def text_frame(payload: bytes) -> bytes:
    """A whole unmasked, uncompressed, final TEXT frame (RFC 6455 §5.2), as a server sends it:
    the bytes aiohttp's WebSocketWriter writes for send_frame(payload, TEXT)."""
    size = len(payload)
    if size < 126:
        return struct.pack("!BB", 0x81, size) + payload
    if size < 65536:
        return struct.pack("!BBH", 0x81, 126, size) + payload
    return struct.pack("!BBQ", 0x81, 127, size) + payload


def _ignore() -> None:
    return None


class Subscriber:
    """One display connection's side of the hub: where to write, and how far it has got."""

    __slots__ = ("cursor", "dropped", "on_drop", "transport")

    def __init__(self, transport: Transport, on_drop: Callable[[], object] = _ignore) -> None:
        self.transport = transport
        self.cursor = 0  # the last seq written to this connection
        self.dropped = False
        self.on_drop = on_drop

    def push(self, seq: int, frame: bytes) -> bool:
        """Write a whole frame unless already sent; False when the connection is too far
        behind (its unsent bytes past the bound) or gone: it is to be dropped."""
        if seq <= self.cursor:
            return True
        transport = self.transport
        if transport.is_closing():  # gone: its handler sees the end and detaches it
            return True
        if transport.get_write_buffer_size() > MAX_UNSENT_KIB * 1024:
            return False
        transport.write(frame)
        self.cursor = seq
        return True


@dataclass(slots=True)
class Channel:
    last_seq: int | None = None
    # (seq, the whole WebSocket frame) of the latest events
    ring: deque[tuple[int, bytes]] = field(default_factory=lambda: deque(maxlen=RING_SIZE))
    subscribers: set[Subscriber] = field(default_factory=set)
    early: dict[int, bytes] = field(default_factory=dict)  # arrived before a missing seq
    repair: asyncio.TimerHandle | None = None


class Hub:
    def __init__(self, fetch_after: FetchAfter | None = None) -> None:
        self.channels: dict[str, Channel] = {}
        self.fetch_after = fetch_after
        self.published = 0
        self.dropped = 0
        self.closing = False  # the server is shutting down (close_all)

    def channel(self, hall: str) -> Channel:
        return self.channels.setdefault(hall, Channel())

    def connections(self) -> int:
        return sum(len(c.subscribers) for c in self.channels.values())

    # -- publishing ------------------------------------------------------------------------

    def publish(self, events: Iterable[Committed]) -> None:
        """The store's after-commit hook: each event to the hall's two channels (v1, v2).

        A transaction's events (call-next: ticket.finished then ticket.called) reach each
        connection in one write."""
        batches: dict[str, list[tuple[int, str | bytes]]] = {}
        for event in events:
            batches.setdefault(event.hall, []).append((event.seq, event.frame))
            batches.setdefault(public_channel(event.hall), []).append((event.seq, event.public))
        for channel, frames in batches.items():
            self.deliver_many(channel, frames)

    def deliver(self, hall: str, seq: int, frame: str | bytes) -> None:
        """Take one committed event of a channel (a hall's v1 or v2 flow); fan out every frame
        that is now in order."""
        self.deliver_many(hall, [(seq, frame)])

    def deliver_many(self, hall: str, frames: Iterable[tuple[int, str | bytes]]) -> None:
        """Take committed events of a channel, in any order; fan out, together, every frame
        that is now in order."""
        ch = self.channel(hall)
        for seq, frame in frames:
            if ch.last_seq is None:
                ch.last_seq = seq - 1
            if seq > ch.last_seq:
                ch.early[seq] = frame.encode() if isinstance(frame, str) else frame
        if ch.last_seq is None:  # no frames
            return
        ready: list[tuple[int, bytes]] = []
        while (nxt := ch.last_seq + 1) in ch.early:
            data = text_frame(ch.early.pop(nxt))  # once, for every connection of the channel
            ch.ring.append((nxt, data))
            ch.last_seq = nxt
            ready.append((nxt, data))
        if ready:
            if not hall.endswith(PUBLIC):
                self.published += len(ready)  # events, not channels: each goes to v1 and v2
            self._fan_out(ch, ready)
        if ch.early and ch.repair is None and self.fetch_after is not None:
            loop = asyncio.get_running_loop()
            ch.repair = loop.call_later(GAP_REPAIR_DELAY_S, self._start_repair, hall)

    def _fan_out(self, ch: Channel, ready: list[tuple[int, bytes]]) -> None:
        """Write consecutive frames to every connection of a channel: one write each."""
        first, last = ready[0][0], ready[-1][0]
        joined = ready[0][1] if len(ready) == 1 else b"".join(data for _, data in ready)
        slow = []
        for sub in ch.subscribers:
            if sub.cursor < first:
                ok = sub.push(last, joined)
            else:  # attached ahead of the hub (its snapshot was newer): only what it lacks
                ok = all(sub.push(seq, data) for seq, data in ready)
            if not ok:
                slow.append(sub)
        for sub in slow:
            self._drop(ch, sub)

    def _drop(self, ch: Channel, sub: Subscriber) -> None:
        ch.subscribers.discard(sub)
        sub.dropped = True
        self.dropped += 1
        sub.on_drop()

    def _start_repair(self, hall: str) -> None:
        asyncio.get_running_loop().create_task(self._repair(hall))

    async def _repair(self, hall: str) -> None:
        """A seq went missing (a commit whose publish was lost): read it back from the log."""
        ch = self.channel(hall)
        ch.repair = None
        if not ch.early or ch.last_seq is None or self.fetch_after is None:
            return
        log.warning("hall %s: seq gap after %s, repairing from the event log", hall, ch.last_seq)
        try:
            for seq, frame in await self.fetch_after(hall, ch.last_seq):
                self.deliver(hall, seq, frame)
        except Exception:  # the log is unreachable: try again shortly
            log.exception("hall %s: gap repair failed", hall)
            ch.repair = asyncio.get_running_loop().call_later(
                GAP_REPAIR_DELAY_S, self._start_repair, hall
            )

    # -- other processes' events (store/notify.py) ---------------------------------------------

    def behind(self, hall: str, seq: int) -> bool:
        """Whether a channel of `hall` that serves displays here has not published `seq` yet."""
        for name in (hall, public_channel(hall)):
            ch = self.channels.get(name)
            if ch is not None and ch.last_seq is not None and seq > ch.last_seq:
                return True
        return False

    async def catch_up(self, hall: str) -> None:
        """Publish, in order, what the event log holds beyond each channel's last seq."""
        if self.fetch_after is None:
            return
        for name in (hall, public_channel(hall)):
            ch = self.channels.get(name)
            if ch is None or ch.last_seq is None:
                continue
            for seq, frame in await self.fetch_after(name, ch.last_seq):
                self.deliver(name, seq, frame)

    def head(self, channel: str) -> int | None:
        """The latest seq the hub has taken of `channel`, or None while it follows none (after a
        restart, before a display or an event): a channel once followed stays current, by this
        process's commits and by the other processes' (store/notify.py, a gap repaired from the
        log)."""
        ch = self.channels.get(channel)
        return None if ch is None else ch.last_seq

    def holds_after(self, channel: str, after: int) -> bool:
        """Whether attaching after seq `after` needs no read of the log: the hub has taken
        `after` and its ring holds every frame since."""
        ch = self.channels.get(channel)
        if ch is None or ch.last_seq is None or after > ch.last_seq:
            return False
        return after == ch.last_seq or (bool(ch.ring) and ch.ring[0][0] <= after + 1)

    def halls(self) -> list[str]:
        return sorted({split_channel(name)[0] for name in self.channels})

    # -- subscribing -----------------------------------------------------------------------

    def attach(self, hall: str, sub: Subscriber, after: int) -> bool:
        """Join the live flow after seq `after`, replaying from the ring, with no await.

        False when the ring no longer holds everything after `after`: the caller reads the
        missing frames from the event log and tries again.
        """
        ch = self.channel(hall)
        if ch.last_seq is None:
            ch.last_seq = after
        sub.cursor = max(sub.cursor, after)
        if after < ch.last_seq:
            if not ch.ring or ch.ring[0][0] > after + 1:
                return False
            for seq, data in ch.ring:
                if seq > after and not sub.push(seq, data):
                    sub.dropped = True
                    return True
        ch.subscribers.add(sub)
        return True

    def detach(self, hall: str, sub: Subscriber) -> None:
        ch = self.channels.get(hall)
        if ch is not None:
            ch.subscribers.discard(sub)

    def close_all(self) -> None:
        """Server shutdown: end every connection's live flow, so each closes (1001) now."""
        self.closing = True
        for ch in self.channels.values():
            subs, ch.subscribers = ch.subscribers, set()
            for sub in subs:
                sub.on_drop()
