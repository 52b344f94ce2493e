"""The event fan-out (hub.py): seq order, gap repair, ring replay, dropping the slow."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from callnext.live import hub as hub_module
from callnext.live.hub import (
    GAP_REPAIR_DELAY_S,
    RING_SIZE,
    Hub,
    Subscriber,
    public_channel,
    text_frame,
)

HALL = "demo"


def frame(seq: int, hall: str = HALL, pad: int = 0) -> str:
    return json.dumps(
        {"type": "event", "seq": seq, "hall": hall, "event": "ticket.issued", "pad": "x" * pad}
    )


def frames_of(data: bytes) -> list[tuple[int, bytes]]:
    """(opcode, payload) of the unmasked frames a server sent, in order; each must be whole."""
    frames, rest = split_frames(data)
    assert rest == b"", "a frame cut short"
    return frames


def split_frames(data: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    """The whole frames at the start of `data`, and what follows them (a frame's beginning)."""
    out, i = [], 0
    while i + 2 <= len(data):
        opcode, size = data[i] & 0x0F, data[i + 1] & 0x7F
        assert data[i] & 0x80, "not a final frame"
        assert not data[i + 1] & 0x80, "masked"
        start = i + 2
        if size >= 126:
            width = 2 if size == 126 else 8
            size, start = int.from_bytes(data[start : start + width]), start + width
        if start + size > len(data):
            break
        out.append((opcode, data[start : start + size]))
        i = start + size
    return out, data[i:]


class Pipe:
    """A real connection: an asyncio transport on one end of a socket pair, whose other end
    (the display) this test reads, or leaves unread to play a stuck display."""

    def __init__(self, transport: asyncio.Transport, peer: socket.socket) -> None:
        self.transport, self.peer = transport, peer
        self.received = b""
        self.pending = b""  # read, but not a whole frame yet

    def read(self) -> bytes:
        """Everything the display has been sent so far and not read yet."""
        data = b""
        with contextlib.suppress(BlockingIOError):
            while chunk := self.peer.recv(1 << 20):
                data += chunk
        self.received += data
        return data


PIPES: list[Pipe] = []


async def pipe(sndbuf: int | None = None) -> Pipe:
    loop = asyncio.get_running_loop()
    ours, peer = socket.socketpair()
    if sndbuf is not None:
        ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
        peer.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, sndbuf)
    peer.setblocking(False)
    transport, _ = await loop.connect_accepted_socket(asyncio.Protocol, ours)
    made = Pipe(transport, peer)
    PIPES.append(made)
    return made


@pytest.fixture(autouse=True)
async def _close_pipes() -> AsyncIterator[None]:
    yield
    for made in PIPES:
        made.transport.abort()
        made.peer.close()
    PIPES.clear()


def drain(sub: Subscriber) -> list[int]:
    """The seqs of the whole TEXT frames a connection has received since the last drain."""
    made = next(p for p in PIPES if p.transport is sub.transport)
    frames, made.pending = split_frames(made.pending + made.read())
    assert {op for op, _ in frames} <= {0x1}
    return [json.loads(payload)["seq"] for _, payload in frames]


async def drained(sub: Subscriber, count: int) -> list[int]:
    """The next `count` seqs a connection receives (letting its transport flush meanwhile)."""
    seqs: list[int] = []

    def more() -> bool:
        seqs.extend(drain(sub))
        return len(seqs) >= count

    await until(more)
    return seqs


async def attached(
    hub: Hub, after: int = 0, hall: str = HALL, sndbuf: int | None = None
) -> Subscriber:
    sub = Subscriber((await pipe(sndbuf)).transport)
    assert hub.attach(hall, sub, after)
    return sub


@dataclass
class Event:
    """What the store hands to `Hub.publish` after a commit."""

    hall: str
    seq: int
    frame: str
    public: str = ""


class EventLog:
    """A real in-memory event log with the store's `events_after` shape."""

    def __init__(self, upto: int, fail_first: int = 0) -> None:
        self.frames = {seq: frame(seq) for seq in range(1, upto + 1)}
        self.calls: list[tuple[str, int, float]] = []
        self.fail_first = fail_first

    async def fetch_after(self, hall: str, after: int) -> list[tuple[int, str]]:
        self.calls.append((hall, after, asyncio.get_running_loop().time()))
        await asyncio.sleep(0)
        if len(self.calls) <= self.fail_first:
            raise ConnectionError("the event log is unreachable")
        return [(s, f) for s, f in sorted(self.frames.items()) if s > after]


async def until(predicate: Callable[[], bool], within_s: float = 5 * GAP_REPAIR_DELAY_S) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while not predicate():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_in_order_frames_reach_every_subscriber() -> None:
    hub = Hub()
    a, b = await attached(hub), await attached(hub)
    hub.publish([Event(HALL, seq, frame(seq)) for seq in range(1, 6)])
    assert drain(a) == drain(b) == [1, 2, 3, 4, 5]
    assert hub.published == 5
    assert hub.connections() == 2


async def test_every_connection_gets_the_same_bytes() -> None:
    hub = Hub()
    await attached(hub)
    await attached(hub)
    hub.deliver(HALL, 1, frame(1))
    sent = hub.channel(HALL).ring[-1][1]
    assert sent == text_frame(frame(1).encode())  # framed once, for every connection
    assert [p.read() for p in PIPES] == [sent, sent]


async def test_early_frames_wait_for_the_missing_one() -> None:
    hub = Hub()
    sub = await attached(hub)
    for seq in (1, 4, 3):
        hub.deliver(HALL, seq, frame(seq))
    assert drain(sub) == [1]
    assert sorted(hub.channel(HALL).early) == [3, 4]
    hub.deliver(HALL, 2, frame(2))
    assert drain(sub) == [2, 3, 4]
    assert hub.channel(HALL).early == {}
    assert hub.published == 4


async def test_duplicates_are_ignored() -> None:
    hub = Hub()
    sub = await attached(hub)
    for seq in (1, 2, 2, 1, 4, 4, 3, 3, 2, 5):
        hub.deliver(HALL, seq, frame(seq))
    assert drain(sub) == [1, 2, 3, 4, 5]
    assert hub.published == 5


@pytest.mark.parametrize("seed", range(20))
async def test_any_arrival_order_comes_out_in_seq_order(seed: int) -> None:
    """Seqs 1..60 shuffled, a third of them published twice: delivered once each, in order."""
    rng = random.Random(seed)
    arrivals = list(range(1, 61)) + rng.sample(range(1, 61), 20)
    rng.shuffle(arrivals)
    hub = Hub()
    sub = await attached(hub)
    for seq in arrivals:
        hub.deliver(HALL, seq, frame(seq))
    assert drain(sub) == list(range(1, 61))
    assert hub.published == 60


async def test_a_gap_stays_buffered_without_an_event_log() -> None:
    hub = Hub()
    sub = await attached(hub)
    hub.deliver(HALL, 1, frame(1))
    hub.deliver(HALL, 3, frame(3))
    assert drain(sub) == [1]
    assert hub.channel(HALL).repair is None


async def test_in_order_delivery_schedules_no_repair() -> None:
    log = EventLog(upto=3)
    hub = Hub(log.fetch_after)
    sub = await attached(hub)
    for seq in (1, 2, 3):
        hub.deliver(HALL, seq, frame(seq))
    await asyncio.sleep(GAP_REPAIR_DELAY_S * 1.5)
    assert drain(sub) == [1, 2, 3]
    assert log.calls == []


async def test_a_gap_is_repaired_from_the_log_after_the_delay() -> None:
    """Seq 2's publish is lost: after GAP_REPAIR_DELAY_S the hub reads it back, in order."""
    log = EventLog(upto=4)
    hub = Hub(log.fetch_after)
    sub = await attached(hub)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for seq in (1, 3, 4):
        hub.deliver(HALL, seq, frame(seq))
    assert drain(sub) == [1]
    await asyncio.sleep(GAP_REPAIR_DELAY_S / 2)
    assert log.calls == []
    assert drain(sub) == []
    assert await drained(sub, 3) == [2, 3, 4]
    assert [(h, after) for h, after, _ in log.calls] == [(HALL, 1)]
    assert log.calls[0][2] - started >= GAP_REPAIR_DELAY_S - 0.05
    channel = hub.channel(HALL)
    assert (channel.early, channel.repair, channel.last_seq) == ({}, None, 4)


async def test_repair_also_brings_later_frames_and_then_ignores_their_publish() -> None:
    log = EventLog(upto=6)
    hub = Hub(log.fetch_after)
    sub = await attached(hub)
    hub.deliver(HALL, 1, frame(1))
    hub.deliver(HALL, 3, frame(3))
    await until(lambda: hub.channel(HALL).last_seq == 6)
    for seq in (4, 5, 6):  # their own publish comes late
        hub.deliver(HALL, seq, frame(seq))
    hub.deliver(HALL, 7, frame(7))
    assert drain(sub) == [1, 2, 3, 4, 5, 6, 7]


async def test_a_failed_repair_is_retried() -> None:
    log = EventLog(upto=3, fail_first=1)
    hub = Hub(log.fetch_after)
    sub = await attached(hub)
    hub.deliver(HALL, 1, frame(1))
    hub.deliver(HALL, 3, frame(3))
    assert await drained(sub, 3) == [1, 2, 3]
    assert [after for _, after, _ in log.calls] == [1, 1]
    assert log.calls[1][2] - log.calls[0][2] >= GAP_REPAIR_DELAY_S - 0.05


async def test_attach_replays_the_ring_after_the_cursor() -> None:
    hub = Hub()
    for seq in range(1, 6):
        hub.deliver(HALL, seq, frame(seq))
    sub = await attached(hub, after=2)
    assert drain(sub) == [3, 4, 5]
    hub.deliver(HALL, 4, frame(4))  # a late duplicate
    hub.deliver(HALL, 6, frame(6))
    assert drain(sub) == [6]


async def test_attach_at_the_head_replays_nothing() -> None:
    hub = Hub()
    for seq in range(1, 4):
        hub.deliver(HALL, seq, frame(seq))
    sub = await attached(hub, after=3)
    assert drain(sub) == []
    hub.deliver(HALL, 4, frame(4))
    assert drain(sub) == [4]


async def test_attach_ahead_of_the_hub_skips_what_the_snapshot_holds() -> None:
    """The snapshot read seq 5 while the hub has published only up to 3."""
    hub = Hub()
    for seq in range(1, 4):
        hub.deliver(HALL, seq, frame(seq))
    sub = await attached(hub, after=5)
    for seq in (4, 5, 6):
        hub.deliver(HALL, seq, frame(seq))
    assert drain(sub) == [6]


async def test_attach_to_a_new_hall_takes_the_cursor_as_head() -> None:
    hub = Hub()
    sub = await attached(hub, after=7)
    assert hub.channel(HALL).last_seq == 7
    hub.deliver(HALL, 8, frame(8))
    assert drain(sub) == [8]


async def test_attach_refuses_when_the_ring_no_longer_covers() -> None:
    hub = Hub()
    last = RING_SIZE + 10
    for seq in range(1, last + 1):
        hub.deliver(HALL, seq, frame(seq))
    oldest = hub.channel(HALL).ring[0][0]
    assert oldest == 11
    sub = Subscriber((await pipe()).transport)
    assert not hub.attach(HALL, sub, oldest - 2)
    assert hub.connections() == 0
    assert drain(sub) == []
    # The caller reads the missing frame from the log, then attaches again: no duplicates.
    assert sub.push(oldest - 1, text_frame(frame(oldest - 1).encode()))
    assert hub.attach(HALL, sub, oldest - 1)
    assert await drained(sub, last - oldest + 2) == list(range(oldest - 1, last + 1))
    assert hub.connections() == 1


async def test_attach_refuses_when_the_ring_is_empty_but_the_head_is_ahead() -> None:
    hub = Hub()
    await attached(hub, after=5)
    assert not hub.attach(HALL, Subscriber((await pipe()).transport), 3)


async def test_head_and_holds_after_say_when_attaching_needs_no_log() -> None:
    """What the stream asks before it reads the log's bounds: the latest seq the hub has taken
    of a channel (None: it follows none yet), and whether its ring holds all after a seq."""
    hub = Hub()
    assert hub.head(HALL) is None
    assert not hub.holds_after(HALL, 0)
    await attached(hub, after=5)  # a restart's first display: the hub takes its cursor
    assert hub.head(HALL) == 5
    assert hub.holds_after(HALL, 5)  # at the head: nothing to replay
    assert not hub.holds_after(HALL, 4)  # behind, and the ring is empty
    assert not hub.holds_after(HALL, 6)  # ahead of the hub: the log says what is true
    last = 5 + RING_SIZE + 10
    for seq in range(6, last + 1):
        hub.deliver(HALL, seq, frame(seq))
    oldest = hub.channel(HALL).ring[0][0]
    assert hub.head(HALL) == last
    assert hub.holds_after(HALL, oldest - 1)
    assert not hub.holds_after(HALL, oldest - 2)
    assert hub.head(public_channel(HALL)) is None  # each channel has its own


BIG = 20_000  # a frame's padding: a few frames fill a small socket buffer


async def test_a_connection_past_its_bound_is_dropped_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A display that reads nothing: once its transport holds more than MAX_UNSENT_KIB KiB unsent,
    it is dropped (once), while one that reads gets every frame; what the stuck one was sent is
    whole frames, in order."""
    monkeypatch.setattr(hub_module, "MAX_UNSENT_KIB", 64)
    hub = Hub()
    drops: list[str] = []
    slow = await attached(hub, sndbuf=4096)
    slow.on_drop = lambda: drops.append("slow")
    fast = await attached(hub)
    seqs = []
    for seq in range(1, 41):
        hub.deliver(HALL, seq, frame(seq, pad=BIG))
        seqs += drain(fast)
    assert drops == ["slow"]
    assert slow.dropped
    assert slow not in hub.channel(HALL).subscribers
    assert hub.dropped == 1
    assert hub.connections() == 1
    assert seqs == list(range(1, 41))
    assert not fast.dropped
    written = slow.transport.get_write_buffer_size()
    assert 64 * 1024 < written < 64 * 1024 + 2 * BIG  # dropped at the first frame past it
    received = await read_all(PIPES[0])
    got = [json.loads(payload)["seq"] for _, payload in frames_of(received)]
    assert got == list(range(1, slow.cursor + 1))
    assert 3 < slow.cursor < 40


async def read_all(made: Pipe) -> bytes:
    """All a display was sent, once it reads again (until its transport has nothing left)."""
    while made.transport.get_write_buffer_size():
        made.read()
        await asyncio.sleep(0.001)
    made.read()
    return made.received


async def test_several_slow_connections_are_dropped_in_one_frame(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hub_module, "MAX_UNSENT_KIB", 0)  # anything unsent is too much
    hub = Hub()
    slow = [await attached(hub, sndbuf=4096) for _ in range(3)]
    fast = await attached(hub)
    hub.deliver(HALL, 1, frame(1, pad=BIG))
    assert not any(s.dropped for s in slow)  # each had room for the first
    hub.deliver(HALL, 2, frame(2, pad=BIG))
    assert all(s.dropped for s in slow)
    assert hub.dropped == 3
    assert hub.channel(HALL).subscribers == {fast}
    assert drain(fast) == [1, 2]


async def test_a_replay_that_overflows_marks_the_subscriber_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hub_module, "MAX_UNSENT_KIB", 0)
    hub = Hub()
    for seq in range(1, 6):
        hub.deliver(HALL, seq, frame(seq, pad=BIG))
    sub = Subscriber((await pipe(sndbuf=4096)).transport)
    assert hub.attach(HALL, sub, 0)
    assert sub.dropped
    assert sub not in hub.channel(HALL).subscribers
    assert hub.dropped == 0  # never attached: its handler closes it


async def test_a_closed_connection_is_skipped_not_dropped() -> None:
    hub = Hub()
    gone, stays = await attached(hub), await attached(hub)
    PIPES[0].transport.close()
    hub.deliver(HALL, 1, frame(1))
    assert not gone.dropped
    assert hub.dropped == 0
    assert drain(stays) == [1]


async def test_detach_stops_delivery() -> None:
    hub = Hub()
    gone, stays = await attached(hub), await attached(hub)
    hub.deliver(HALL, 1, frame(1))
    hub.detach(HALL, gone)
    hub.detach(HALL, gone)  # twice is harmless
    hub.detach("elsewhere", gone)  # so is an unknown hall
    hub.deliver(HALL, 2, frame(2))
    assert drain(gone) == [1]
    assert drain(stays) == [1, 2]
    assert hub.connections() == 1
    assert hub.dropped == 0


@pytest.mark.parametrize("other", ["north", "south"])
async def test_halls_have_their_own_seq(other: str) -> None:
    hub = Hub()
    here, there = await attached(hub), await attached(hub, hall=other)
    hub.deliver(HALL, 1, frame(1))
    hub.deliver(other, 1, frame(1, other))
    hub.deliver(other, 2, frame(2, other))
    assert drain(here) == [1]
    assert drain(there) == [1, 2]
    assert hub.channel(other).last_seq == 2
    assert hub.channel(HALL).last_seq == 1


async def test_a_transactions_events_go_out_together_and_in_order() -> None:
    """publish() with a transaction's events (call-next: finished, then called): each channel
    writes them in seq order, a connection attached ahead of the hub gets only what it lacks,
    and /ws/v2's channel gets the public frames."""
    hub = Hub()
    behind = await attached(hub)
    hub.deliver(HALL, 1, frame(1))
    ahead = await attached(hub, after=2)  # its snapshot was read at seq 2
    public = await attached(hub, hall=hub_module.public_channel(HALL), after=1)
    hub.publish([Event(HALL, seq, frame(seq), frame(seq, pad=1)) for seq in (3, 2, 4)])
    assert drain(behind) == [1, 2, 3, 4]
    assert drain(ahead) == [3, 4]
    assert drain(public) == [2, 3, 4]
    assert hub.published == 4
    assert [seq for seq, _ in hub.channel(HALL).ring] == [1, 2, 3, 4]
