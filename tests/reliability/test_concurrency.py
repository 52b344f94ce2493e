"""The queue's guarantees under concurrent requests, against a real server and a real SQLite file.

Each test runs twice: on a server in this process, and on a `callnext serve` subprocess hammered
by many client sessions at once (SQLite is single-process, so one server per database file).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from callnext.runtime.config import Settings

from ..helpers import (
    FRAME_WAIT_S,
    Api,
    QueueReplay,
    ServerProcess,
    read_events,
    running_app,
    wait_until,
)

SEED = 20261126
PRE_ISSUED = 128  # waiting when the windows start
LIVE_ISSUED = 32  # issued while the windows call
PRE_TRANSFERS = {1: "BCBC", 5: "ACAC"}  # window → the services its first calls move to
TRANSFER_RATE = 0.05  # the share of calls that a window sends on to another service
CANCELS = 16


@pytest.fixture(params=["in_process", "subprocess"])
async def base(
    request: pytest.FixtureRequest, settings: Settings, db_url: str
) -> AsyncIterator[str]:
    """The URL of a fresh demo server: in this process, or `callnext serve` as a child."""
    if request.param == "in_process":
        async with running_app(settings) as api:
            yield api.base
        return
    server = ServerProcess(db_url)
    server.start()
    try:
        yield server.base
    finally:
        server.stop()


@contextlib.asynccontextmanager
async def clients(base: str, n: int) -> AsyncIterator[list[Api]]:
    """`n` independent clients, each with its own HTTP session (its own connections)."""
    async with contextlib.AsyncExitStack() as stack:
        sessions = [await stack.enter_async_context(aiohttp.ClientSession()) for _ in range(n)]
        yield [Api(base, s) for s in sessions]


class Display:
    """A lobby display connected before the run: its snapshot, then every frame it is sent."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, snapshot: dict[str, Any]) -> None:
        self.ws = ws
        self.snapshot = snapshot
        self.frames: list[dict[str, Any]] = []
        self.task = asyncio.create_task(self._pump())

    @classmethod
    async def connect(cls, api: Api) -> Display:
        headers = await api.staff_headers()  # the replay model follows tickets by their ids
        ws = await api.session.ws_connect(f"{api.ws_base}/ws/v1/halls/demo", headers=headers)
        first = await ws.receive_json(timeout=FRAME_WAIT_S)
        assert first["type"] == "snapshot"
        return cls(ws, first)

    async def _pump(self) -> None:
        async for msg in self.ws:
            if msg.type is aiohttp.WSMsgType.TEXT:
                self.frames.append(json.loads(msg.data))

    async def until(self, seq: int) -> None:
        async def arrived() -> bool:
            assert not self.task.done(), f"the stream closed: {self.ws.close_code}"
            return bool(self.frames) and self.frames[-1]["seq"] >= seq

        await wait_until(arrived, timeout=30)

    async def close(self) -> None:
        await self.ws.close()
        await self.task


def local_day(ticket: dict[str, Any]) -> str:
    """The hall's day of issue: `issued_at` is written in the hall's own offset."""
    return str(ticket["issued_at"][:10])


async def test_concurrent_call_next_claims_each_head_exactly_once(base: str) -> None:
    """8 windows press call-next at once, over and over, while tickets are issued, cancelled and
    transferred: each claim takes the head of that window's queue (priority, then issued_at; a
    transferred ticket keeps its place), no ticket is called twice in one wait, and no window
    ever holds two current tickets. Checked on the responses, the live display stream (replayed
    over a model of the queue), the stored event log and the manager's ticket list."""
    await race_call_next(base, {})


# Windows 7 and 8 (every service) take their services in an order of their own (work profiles).
BY_SERVICE = {7: ["C", "B", "A"], 8: ["B", "A", "C"]}


async def test_concurrent_call_next_honours_work_profiles(settings: Settings) -> None:
    """The same race with windows 7 and 8 taking their services in order (C before B before A,
    B before A before C), windows 1–6 first come: each claim is still the head of that window's
    queue by its own rule, once."""
    async with running_app(settings) as api:
        await race_call_next(api.base, BY_SERVICE)


async def race_call_next(base: str, by_service: dict[int, list[str]]) -> None:
    rng = random.Random(SEED)
    async with clients(base, 11) as apis:
        admin, issuer, canceller, workers = apis[0], apis[1], apis[2], apis[3:]
        manager = await admin.login("manager")
        for n, services in by_service.items():
            body = {"services": services, "call_order": "services"}
            status, answer = await admin.request(
                "PUT", f"/api/v1/halls/demo/windows/{n}", body, token=manager
            )
            assert status == 200, answer
        hall = await admin.hall()
        windows = {w["number"]: w["services"] for w in hall["windows"]}
        assert len(windows) == len(workers) == 8
        display = await Display.connect(admin)
        start = display.snapshot["seq"]
        assert start == len(by_service)  # a hall.updated per window changed

        # Over a hundred waiting tickets, issued concurrently: A/B/C, some with priority.
        plan = [(rng.choice("AAABBC"), rng.random() < 0.1) for _ in range(PRE_ISSUED)]
        issued = list(await asyncio.gather(*(issuer.issue(s, p) for s, p in plan)))

        # Some tickets wait again in another service before the race, keeping their place.
        responses: dict[int, list[dict[str, Any]]] = defaultdict(list)
        transferred: Counter[str] = Counter()
        for n, targets in PRE_TRANSFERS.items():
            for target in targets:
                status, body = await admin.window(n, "call-next")
                assert status == 200, body
                responses[n].append(body)
                status, body = await admin.window(n, "transfer", {"service": target})
                assert status == 200, body
                responses[n].append(body)
                transferred[body["transferred"]["id"]] += 1

        issuing_done = asyncio.Event()
        tried: set[str] = set()  # cancels sent
        cancelled: set[str] = set()  # cancels that won the race with the windows

        async def window(n: int, api: Api) -> None:
            while True:
                status, body = await api.window(n, "call-next")
                assert status == 200, body
                responses[n].append(body)
                called = body["called"]
                if called is None:
                    if issuing_done.is_set():
                        return
                    await asyncio.sleep(0.005)
                    continue
                assert (called["window"], called["status"]) == (n, "called"), called
                if called["id"] not in transferred and rng.random() < TRANSFER_RATE:
                    target = rng.choice([s for s in "ABC" if s != called["service"]])
                    status, body = await api.window(n, "transfer", {"service": target})
                    assert status == 200, body
                    assert body["transferred"]["id"] == called["id"]
                    transferred[called["id"]] += 1
                    responses[n].append(body)

        async def issue_live() -> None:
            for _ in range(LIVE_ISSUED):
                issued.append(await issuer.issue(rng.choice("ABC"), rng.random() < 0.2))
                await asyncio.sleep(rng.uniform(0, 0.01))
            issuing_done.set()

        async def cancel_some() -> None:
            for ticket in rng.sample(issued[PRE_ISSUED // 2 :], CANCELS):
                path = f"/api/v1/tickets/{ticket['id']}/cancel"
                tried.add(ticket["id"])
                status, body = await canceller.request("POST", path)
                assert status in (200, 409), body
                if status == 200:
                    assert body["status"] == "cancelled"
                    cancelled.add(ticket["id"])
                await asyncio.sleep(rng.uniform(0, 0.02))

        await asyncio.gather(
            issue_live(), cancel_some(), *(window(n, workers[n - 1]) for n in windows)
        )
        # A ticket transferred just as the windows of its new service stopped may still wait:
        # window 8 serves every service and sweeps them up (its claims are checked too).
        while True:
            status, body = await admin.window(8, "call-next")
            assert status == 200, body
            responses[8].append(body)
            if body["called"] is None:
                break

        # -- the responses ----------------------------------------------------------------------
        calls: Counter[str] = Counter()
        for n, bodies in responses.items():
            current = None  # each window's requests are sequential: its answers must chain
            for body in bodies:
                if "transferred" in body:
                    assert current == body["transferred"]["id"]
                    current = None
                    continue
                finished = body["finished"]
                assert (finished and finished["id"]) == current, f"window {n}"
                current = body["called"] and body["called"]["id"]
                calls.update([current] if current else [])
            assert current is None, f"window {n} kept a ticket"
        ids = {t["id"] for t in issued}
        assert len(ids) == PRE_ISSUED + LIVE_ISSUED
        assert cancelled, "the cancels all lost the race: the test proves less than it claims"
        assert tried - cancelled <= set(calls), "a cancel refused although nobody called it"
        # One call per wait: a transfer starts a new wait; a cancel ends one uncalled (a citizen
        # may cancel a ticket that waits again after a transfer). The replay below also fails
        # on any call after a cancel.
        expected = {i: transferred[i] + (i not in cancelled) for i in ids}
        assert {i: calls[i] for i in ids} == expected

        # -- the stream, over a model of the queue -----------------------------------------------
        final = await admin.hall()
        await display.until(final["seq"])
        await display.close()
        replay = QueueReplay(windows, set(by_service), seq=start)
        replay.apply_all(display.frames)
        assert replay.seq == final["seq"]
        assert {i: replay.calls[i] for i in ids} == expected
        assert not replay.waiting
        assert replay.current == dict.fromkeys(windows)
        assert sum(f["event"] == "ticket.called" for f in display.frames) == sum(expected.values())
        assert await read_events(admin, start) == display.frames, "the display saw another log"

        # -- the store's view -------------------------------------------------------------------
        tickets = {t["id"]: t for t in await admin.day_tickets()}
        assert set(tickets) == ids
        for i, t in tickets.items():
            assert t["status"] == ("cancelled" if i in cancelled else "done"), t
            assert t["transfers"] == transferred[i], t
        assert all(w["current"] is None for w in final["windows"])
        assert all(s["waiting"] == 0 for s in final["services"])


async def test_concurrent_issuing_numbers_each_service_from_1_without_gaps(base: str) -> None:
    """Several hundred tickets issued at once by many clients: within a service and a day the
    numbers never repeat and are exactly 1..n (A001, A002, …), as the answers and the manager's
    list both say."""
    rng = random.Random(SEED + 1)
    plan = [rng.choice("ABC") for _ in range(192)]
    async with clients(base, 12) as apis:
        answers = await asyncio.gather(
            *(apis[i % len(apis)].issue(s, i % 9 == 0) for i, s in enumerate(plan))
        )
        listed = await apis[0].day_tickets()
    assert len({t["id"] for t in answers}) == len(plan)
    assert sorted(t["id"] for t in listed) == sorted(t["id"] for t in answers)
    assert {t["id"]: t["number"] for t in listed} == {t["id"]: t["number"] for t in answers}
    for service, count in Counter(plan).items():
        for day in {local_day(t) for t in answers}:
            numbers = sorted(
                t["number"] for t in answers if t["service"] == service and local_day(t) == day
            )
            assert numbers == [f"{service}{k:03d}" for k in range(1, len(numbers) + 1)]
        assert sum(t["service"] == service for t in answers) == count
