"""LISTEN/NOTIFY between server processes (store/notify.py): a notice carries its events'
frames when they fit, so a process shows another's call with no read of the log; a notice too
large for PostgreSQL's 8,000 bytes says only "hall seq", and the log is read as before."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from callnext.runtime.config import Settings
from callnext.store.hall_tx import Published
from callnext.store.notify import (
    NOTICE_MAX_BYTES,
    Notice,
    notice_payload,
    parse_notice,
)
from callnext.web.keys import DB, LISTENER

from ..conftest import PG_SKIP_REASON
from ..helpers import Api, running_app, wait_until

CALL = '{"type":"event","seq":12,"event":"ticket.called","ticket":{"number":"A003","id":"t1"}}'
PUBLIC = '{"type":"event","seq":12,"event":"ticket.called","ticket":{"number":"A003"}}'


def test_a_call_next_travels_with_its_frames_and_comes_back_the_same() -> None:
    published = [Published("demo", 11, '{"seq":11,"名":"业务"}', '{"seq":11,"名":"业务"}'),
                 Published("demo", 12, CALL, PUBLIC)]  # fmt: skip
    payload = notice_payload("demo", published)
    assert json.loads(payload)["events"][0][2] is None  # the same public text is not sent twice
    assert parse_notice(payload) == Notice("demo", 12, published)


def test_frames_past_the_bound_leave_only_the_hall_and_seq() -> None:
    big = '{"notice":"' + "通知" * 1400 + '"}'  # 8,400 bytes in UTF-8 (2,800 characters)
    assert len(notice_payload("demo", [Published("demo", 7, "{}", "{}")])) < 100
    payload = notice_payload("demo", [Published("demo", 7, big, big)])
    assert payload == "demo 7"
    assert parse_notice(payload) == Notice("demo", 7)
    edge = '{"n":"' + "x" * (NOTICE_MAX_BYTES - 60) + '"}'
    assert len(notice_payload("demo", [Published("demo", 8, edge, edge)]).encode()) <= 7900


@pytest.mark.parametrize(
    "payload", ["", "demo", "demo x", "{", '{"hall":"demo"}', '{"hall":1,"events":[[1,"a",null]]}',
                '{"hall":"demo","events":[]}', '{"hall":"demo","events":[[1]]}']
)  # fmt: skip
def test_a_notice_it_cannot_read_is_ignored(payload: str) -> None:
    assert parse_notice(payload) is None


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
@pytest.mark.skipif(PG_SKIP_REASON is not None, reason=PG_SKIP_REASON or "")
async def test_a_call_on_one_process_reaches_the_others_screen_without_a_read(
    settings: Settings,
) -> None:
    async with running_app(settings) as one, running_app(settings) as two:
        listener = two.app[LISTENER]
        reads = 0
        catch_up: Callable[[str], Awaitable[None]] = listener.catch_up

        async def counted(hall: str) -> None:
            nonlocal reads
            reads += 1
            await catch_up(hall)

        listener.catch_up = counted
        await one.issue("A")
        await one.issue("A")
        async with two.session.ws_connect(two.ws_base + "/ws/v2/halls/demo") as ws:
            seq = json.loads((await ws.receive(timeout=30)).data)["seq"]

            async def until_called() -> dict[str, Any]:
                nonlocal seq
                while True:  # a window's first call may say it is staffed first
                    frame = json.loads((await ws.receive(timeout=30)).data)
                    assert frame["seq"] == seq + 1, (frame, seq)  # in order, none missed
                    seq = frame["seq"]
                    if frame["event"] == "ticket.called":
                        return frame

            for window in (1, 2):
                status, body = await one.window(window, "call-next")
                assert status == 200, body
                called = await until_called()
                assert called["ticket"]["number"] == body["called"]["number"]
        await asyncio.sleep(0)
        assert listener.carried >= 2
        assert reads == 0


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_a_process_plays_the_queue_again_when_another_changes_the_hall(
    settings: Settings,
) -> None:
    """Calls alternating between two processes: each hears the other's commit and plays the
    queue again off the lock (store/kept_queues.py), so neither call plays it in its own
    transaction, nor reads the queue."""
    async with running_app(settings) as one, running_app(settings) as two:
        for _ in range(8):
            await one.issue("A")
        for api, window in ((one, 1), (two, 2)):  # each window's first call staffs it: plays
            status, _ = await api.window(window, "call-next")
            assert status == 200
        played = [api.app[DB].queues.played_in_tx for api in (one, two)]
        for api, window in ((one, 1), (two, 2), (one, 1), (two, 2)):
            await until_kept_at(api, (await api.hall())["seq"])  # it heard the other's call
            status, body = await api.window(window, "call-next")
            assert status == 200
            assert body["called"] is not None
        assert [api.app[DB].queues.played_in_tx for api in (one, two)] == played


async def until_kept_at(api: Api, seq: int) -> None:
    """Wait until the process keeps a memo of the hall at `seq` (it heard the commit)."""

    async def kept() -> bool:
        found = api.app[DB].queues.kept("demo")
        return found is not None and found.seq >= seq

    await wait_until(kept, timeout=10)
