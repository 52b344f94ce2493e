"""The event fan-out (hub.py): seq order, gap repair, ring replay, dropping the slow."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from callnext.hub import GAP_REPAIR_DELAY_S, QUEUE_SIZE, RING_SIZE, Hub, Subscriber

HALL = "demo"


def frame(seq: int, hall: str = HALL) -> str:
    return json.dumps({"type": "event", "seq": seq, "hall": hall, "event": "ticket.issued"})


def drain(sub: Subscriber) -> list[int]:
    """The seqs queued for a connection so far (emptying its queue)."""
    seqs = []
    while not sub.queue.empty():
        seqs.append(json.loads(sub.queue.get_nowait())["seq"])
    return seqs


def attached(hub: Hub, after: int = 0, hall: str = HALL, size: int = QUEUE_SIZE) -> Subscriber:
    sub = Subscriber(queue=asyncio.Queue(size))
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


def test_in_order_frames_reach_every_subscriber() -> None:
    hub = Hub()
    a, b = attached(hub), attached(hub)
    hub.publish([Event(HALL, seq, frame(seq)) for seq in range(1, 6)])
    assert drain(a) == drain(b) == [1, 2, 3, 4, 5]
    assert hub.published == 5
    assert hub.connections() == 2


def test_every_connection_gets_the_same_bytes() -> None:
    hub = Hub()
    a, b = attached(hub), attached(hub)
    hub.deliver(HALL, 1, frame(1))
    first, second = a.queue.get_nowait(), b.queue.get_nowait()
    assert first is second
    assert first == frame(1).encode()


def test_early_frames_wait_for_the_missing_one() -> None:
    hub = Hub()
    sub = attached(hub)
    for seq in (1, 4, 3):
        hub.deliver(HALL, seq, frame(seq))
    assert drain(sub) == [1]
    assert sorted(hub.channel(HALL).early) == [3, 4]
    hub.deliver(HALL, 2, frame(2))
    assert drain(sub) == [2, 3, 4]
    assert hub.channel(HALL).early == {}
    assert hub.published == 4


def test_duplicates_are_ignored() -> None:
    hub = Hub()
    sub = attached(hub)
    for seq in (1, 2, 2, 1, 4, 4, 3, 3, 2, 5):
        hub.deliver(HALL, seq, frame(seq))
    assert drain(sub) == [1, 2, 3, 4, 5]
    assert hub.published == 5


@pytest.mark.parametrize("seed", range(20))
def test_any_arrival_order_comes_out_in_seq_order(seed: int) -> None:
    """Seqs 1..60 shuffled, a third of them published twice: delivered once each, in order."""
    rng = random.Random(seed)
    arrivals = list(range(1, 61)) + rng.sample(range(1, 61), 20)
    rng.shuffle(arrivals)
    hub = Hub()
    sub = attached(hub)
    for seq in arrivals:
        hub.deliver(HALL, seq, frame(seq))
    assert drain(sub) == list(range(1, 61))
    assert hub.published == 60


def test_a_gap_stays_buffered_without_an_event_log() -> None:
    hub = Hub()
    sub = attached(hub)
    hub.deliver(HALL, 1, frame(1))
    hub.deliver(HALL, 3, frame(3))
    assert drain(sub) == [1]
    assert hub.channel(HALL).repair is None


async def test_in_order_delivery_schedules_no_repair() -> None:
    log = EventLog(upto=3)
    hub = Hub(log.fetch_after)
    sub = attached(hub)
    for seq in (1, 2, 3):
        hub.deliver(HALL, seq, frame(seq))
    await asyncio.sleep(GAP_REPAIR_DELAY_S * 1.5)
    assert drain(sub) == [1, 2, 3]
    assert log.calls == []


async def test_a_gap_is_repaired_from_the_log_after_the_delay() -> None:
    """Seq 2's publish is lost: after GAP_REPAIR_DELAY_S the hub reads it back, in order."""
    log = EventLog(upto=4)
    hub = Hub(log.fetch_after)
    sub = attached(hub)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for seq in (1, 3, 4):
        hub.deliver(HALL, seq, frame(seq))
    assert drain(sub) == [1]
    await asyncio.sleep(GAP_REPAIR_DELAY_S / 2)
    assert log.calls == []
    assert sub.queue.empty()
    await until(lambda: sub.queue.qsize() == 3)
    assert drain(sub) == [2, 3, 4]
    assert [(h, after) for h, after, _ in log.calls] == [(HALL, 1)]
    assert log.calls[0][2] - started >= GAP_REPAIR_DELAY_S - 0.05
    channel = hub.channel(HALL)
    assert (channel.early, channel.repair, channel.last_seq) == ({}, None, 4)


async def test_repair_also_brings_later_frames_and_then_ignores_their_publish() -> None:
    log = EventLog(upto=6)
    hub = Hub(log.fetch_after)
    sub = attached(hub)
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
    sub = attached(hub)
    hub.deliver(HALL, 1, frame(1))
    hub.deliver(HALL, 3, frame(3))
    await until(lambda: sub.queue.qsize() == 3)
    assert drain(sub) == [1, 2, 3]
    assert [after for _, after, _ in log.calls] == [1, 1]
    assert log.calls[1][2] - log.calls[0][2] >= GAP_REPAIR_DELAY_S - 0.05


def test_attach_replays_the_ring_after_the_cursor() -> None:
    hub = Hub()
    for seq in range(1, 6):
        hub.deliver(HALL, seq, frame(seq))
    sub = attached(hub, after=2)
    assert drain(sub) == [3, 4, 5]
    hub.deliver(HALL, 4, frame(4))  # a late duplicate
    hub.deliver(HALL, 6, frame(6))
    assert drain(sub) == [6]


def test_attach_at_the_head_replays_nothing() -> None:
    hub = Hub()
    for seq in range(1, 4):
        hub.deliver(HALL, seq, frame(seq))
    sub = Subscriber()
    sub.push_snapshot(3, b'{"type":"snapshot","seq":3}')
    assert hub.attach(HALL, sub, 3)
    hub.deliver(HALL, 4, frame(4))
    assert [json.loads(sub.queue.get_nowait())["seq"] for _ in range(2)] == [3, 4]
    assert sub.queue.empty()


def test_attach_ahead_of_the_hub_skips_what_the_snapshot_holds() -> None:
    """The snapshot read seq 5 while the hub has published only up to 3."""
    hub = Hub()
    for seq in range(1, 4):
        hub.deliver(HALL, seq, frame(seq))
    sub = attached(hub, after=5)
    for seq in (4, 5, 6):
        hub.deliver(HALL, seq, frame(seq))
    assert drain(sub) == [6]


def test_attach_to_a_new_hall_takes_the_cursor_as_head() -> None:
    hub = Hub()
    sub = attached(hub, after=7)
    assert hub.channel(HALL).last_seq == 7
    hub.deliver(HALL, 8, frame(8))
    assert drain(sub) == [8]


def test_attach_refuses_when_the_ring_no_longer_covers() -> None:
    hub = Hub()
    last = RING_SIZE + 10
    for seq in range(1, last + 1):
        hub.deliver(HALL, seq, frame(seq))
    oldest = hub.channel(HALL).ring[0][0]
    assert oldest == 11
    sub = Subscriber()
    assert not hub.attach(HALL, sub, oldest - 2)
    assert hub.connections() == 0
    assert sub.queue.empty()
    # The caller reads the missing frame from the log, then attaches again: no duplicates.
    assert sub.push(oldest - 1, frame(oldest - 1).encode())
    assert hub.attach(HALL, sub, oldest - 1)
    assert drain(sub) == list(range(oldest - 1, last + 1))
    assert hub.connections() == 1


def test_attach_refuses_when_the_ring_is_empty_but_the_head_is_ahead() -> None:
    hub = Hub()
    attached(hub, after=5)
    assert not hub.attach(HALL, Subscriber(), 3)


def test_a_full_queue_drops_only_that_subscriber() -> None:
    hub = Hub()
    drops: list[str] = []
    slow = attached(hub, size=2)
    slow.on_drop = lambda: drops.append("slow")
    fast = attached(hub)
    for seq in range(1, 8):
        hub.deliver(HALL, seq, frame(seq))
    assert drops == ["slow"]
    assert slow.dropped
    assert slow not in hub.channel(HALL).subscribers
    assert hub.dropped == 1
    assert hub.connections() == 1
    assert drain(slow) == [1, 2]
    assert drain(fast) == [1, 2, 3, 4, 5, 6, 7]
    assert not fast.dropped


def test_several_slow_subscribers_are_dropped_in_one_frame() -> None:
    hub = Hub()
    slow = [attached(hub, size=1) for _ in range(3)]
    fast = attached(hub)
    hub.deliver(HALL, 1, frame(1))
    hub.deliver(HALL, 2, frame(2))
    assert all(s.dropped for s in slow)
    assert hub.dropped == 3
    assert hub.channel(HALL).subscribers == {fast}
    assert drain(fast) == [1, 2]


def test_a_replay_that_overflows_marks_the_subscriber_dropped() -> None:
    hub = Hub()
    for seq in range(1, 6):
        hub.deliver(HALL, seq, frame(seq))
    sub = Subscriber(queue=asyncio.Queue(2))
    assert hub.attach(HALL, sub, 0)
    assert sub.dropped
    assert sub not in hub.channel(HALL).subscribers


def test_detach_stops_delivery() -> None:
    hub = Hub()
    gone, stays = attached(hub), attached(hub)
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
def test_halls_have_their_own_seq(other: str) -> None:
    hub = Hub()
    here, there = attached(hub), attached(hub, hall=other)
    hub.deliver(HALL, 1, frame(1))
    hub.deliver(other, 1, frame(1, other))
    hub.deliver(other, 2, frame(2, other))
    assert drain(here) == [1]
    assert drain(there) == [1, 2]
    assert hub.channel(other).last_seq == 2
    assert hub.channel(HALL).last_seq == 1
