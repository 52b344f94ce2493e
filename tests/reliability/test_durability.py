"""Durability: `callnext serve` is SIGKILLed under concurrent issuing and calling, several times,
and restarted on the same SQLite file. Whatever a client was told stays true after the restart."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest

from callnext.live import hub
from callnext.runtime.config import Settings

from ..helpers import (
    WHOLE_LOG_REPLAY,
    Api,
    QueueReplay,
    ServerProcess,
    read_events,
    running_app,
    wait_until,
)

ROUNDS = 4  # kills
ISSUERS = 6  # kiosks issuing at once
WINDOWS = range(1, 9)  # every demo window calls at once
LOST = (aiohttp.ClientError, TimeoutError)  # what a client sees of a killed server


@dataclass
class Acknowledged:
    """What the clients were told (or may have been) over all the rounds."""

    tickets: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → its 201 body
    keys: dict[str, tuple[str, bool]] = field(default_factory=dict)  # key sent → (service, prio)
    unanswered: set[str] = field(default_factory=set)  # keys whose answer never came
    answered: dict[str, str] = field(default_factory=dict)  # key → the id of its ticket
    calls: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (window, called)
    frames: list[dict[str, Any]] = field(default_factory=list)  # the event log as last read


async def issue(api: Api, seen: Acknowledged, key: str) -> str:
    """One kiosk request with an Idempotency-Key; the key stays unanswered until its 201."""
    service, priority = seen.keys[key]
    status, body = await api.request(
        "POST", "/api/v1/halls/demo/tickets", {"service": service, "priority": priority},
        headers={"Idempotency-Key": key},
    )  # fmt: skip
    assert status == 201, body
    assert (body["service"], body["priority"]) == (service, priority)
    seen.tickets[body["id"]] = body
    seen.unanswered.discard(key)
    seen.answered.setdefault(key, body["id"])
    return str(body["id"])


async def load(api: Api, seen: Acknowledged, rng: random.Random, stop: asyncio.Event) -> None:
    """Kiosks issue and every window calls next, concurrently, until the server dies."""

    async def kiosk() -> None:
        with contextlib.suppress(*LOST):  # the server was killed
            while not stop.is_set():
                key = uuid.uuid4().hex
                seen.keys[key] = (rng.choice("AAABBC"), rng.random() < 0.15)
                seen.unanswered.add(key)
                await issue(api, seen, key)

    async def window(n: int) -> None:
        with contextlib.suppress(*LOST):  # the server was killed
            while not stop.is_set():
                status, body = await api.window(n, "call-next")
                assert status == 200, body
                if body["called"] is None:
                    await asyncio.sleep(0.01)
                else:
                    seen.calls.append((n, body["called"]))

    await asyncio.gather(*(kiosk() for _ in range(ISSUERS)), *(window(n) for n in WINDOWS))


async def check_store(api: Api, seen: Acknowledged, windows: dict[int, list[str]]) -> None:
    """After a restart: every acknowledged ticket and call is stored, numbers are 1..n per
    service and day, the event log runs 1..N and still begins with what it held before, and
    replayed over a model of the queue it calls each ticket once, at the head, one per window."""
    # A kiosk that lost its answer retries with the same key: it must get one ticket, not two.
    for key in sorted(seen.unanswered):
        await issue(api, seen, key)
    assert not seen.unanswered
    for key in sorted(seen.answered)[:8]:  # and a retry of an answered one finds its ticket
        assert await issue(api, seen, key) == seen.answered[key], "Idempotency-Key forgotten"
    stored = {t["id"]: t for t in await api.day_tickets()}
    assert len(stored) == len(seen.keys), "one ticket per Idempotency-Key, none lost, none twice"
    for ticket_id, acked in seen.tickets.items():
        assert ticket_id in stored, f"acknowledged {acked['number']} was lost"
        got = stored[ticket_id]
        assert (got["number"], got["service"], got["issued_at"]) == (
            acked["number"], acked["service"], acked["issued_at"],
        )  # fmt: skip
    numbers: dict[tuple[str, str], list[int]] = defaultdict(list)
    for t in stored.values():
        numbers[t["service"], t["issued_at"][:10]].append(int(t["number"][1:]))
    for (service, day), got_numbers in numbers.items():
        expected = list(range(1, len(got_numbers) + 1))
        assert sorted(got_numbers) == expected, f"{service} numbers of {day} reused or skipped"

    for n, called in seen.calls:
        got = stored[called["id"]]
        assert got["window"] == n, got
        assert got["called_at"] == called["called_at"], got
        assert got["status"] in ("called", "done"), got
    busy = Counter(t["window"] for t in stored.values() if t["status"] == "called")
    assert all(count == 1 for count in busy.values()), f"a window with two tickets: {busy}"

    frames = await read_events(api, 0)  # strict: seq 1, 2, … N, no snapshot, no gap
    assert frames[: len(seen.frames)] == seen.frames, "the stored event log changed"
    seen.frames = frames
    replay = QueueReplay(windows)
    replay.apply_all(frames)
    assert replay.seq == (await api.hall())["seq"]
    assert set(replay.issued) == set(stored), "each stored ticket has one ticket.issued event"
    assert all(count == 1 for count in replay.calls.values()), "a ticket was called twice"
    assert set(replay.calls) == {i for i, t in stored.items() if t["called_at"]}
    assert {w: i for w, i in replay.current.items() if i} == {
        t["window"]: i for i, t in stored.items() if t["status"] == "called"
    }


async def kill_under_load(
    api: Api, server: ServerProcess, seen: Acknowledged, rng: random.Random
) -> None:
    """Issue and call concurrently, SIGKILL the server at a random moment of it."""
    for n in WINDOWS:  # log in first: the tokens are the setup, not the race
        await api.login(f"w{n}")
    before = (len(seen.tickets), len(seen.calls))

    async def flowing() -> bool:
        return len(seen.tickets) > before[0] + ISSUERS and len(seen.calls) > before[1]

    stop = asyncio.Event()
    work = asyncio.create_task(load(api, seen, rng, stop))
    await wait_until(flowing, timeout=20)
    await asyncio.sleep(rng.uniform(0, 0.6))
    server.kill()
    stop.set()
    await work
    assert len(seen.tickets) > before[0], "nothing was issued before the kill"
    assert len(seen.calls) > before[1], "nothing was called before the kill"


async def check_sequences_go_on(api: Api, seen: Acknowledged) -> None:
    """New tickets take each service's next number, and their events the next seqs."""
    stored = list(seen.tickets.values())
    for service in "ABC":
        ticket = await api.issue(service)
        day = ticket["issued_at"][:10]
        count = sum(t["service"] == service and t["issued_at"][:10] == day for t in stored)
        assert int(ticket["number"][1:]) == count + 1, ticket["number"]
    frames = await read_events(api, len(seen.frames))
    assert [f["event"] for f in frames] == ["ticket.issued"] * 3
    assert frames[0]["seq"] == len(seen.frames) + 1


@pytest.mark.slow
async def test_sigkill_under_load_loses_nothing_acknowledged(db_url: str) -> None:
    """Four times: load the server with concurrent issuing and calling, SIGKILL it at a random
    moment, restart it on the same database and check the store against what clients were told.
    At the end, new tickets continue each service's numbers and the event log's seq."""
    seed = time.time_ns()
    print(f"random seed {seed}")
    rng = random.Random(seed)
    seen = Acknowledged()
    for round_ in range(ROUNDS + 1):
        server = ServerProcess(db_url, env=WHOLE_LOG_REPLAY)
        server.start()
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
                api = Api(server.base, session)
                windows = {w["number"]: w["services"] for w in (await api.hall())["windows"]}
                await check_store(api, seen, windows)
                if round_ < ROUNDS:
                    await kill_under_load(api, server, seen, rng)
                else:
                    await check_sequences_go_on(api, seen)
        finally:
            server.kill()


async def test_a_display_far_behind_replays_everything_after_a_restart(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A display that was away while many changes happened comes back, after a restart, with
    ?since=0: it gets every stored event in order, although they outnumber its connection's
    queue (hub.MAX_UNSENT_KIB, made small to keep this fast) and the restarted hub has seen none."""
    monkeypatch.setattr(hub, "MAX_UNSENT_KIB", 16)
    async with running_app(settings) as api:
        issued = [await api.issue(service) for service in "ABC" * 20]
    async with running_app(settings) as api:
        frames = await read_events(api, 0)  # strict: events 1..60, no drop, no snapshot
    assert [f["ticket"]["id"] for f in frames] == [t["id"] for t in issued]
