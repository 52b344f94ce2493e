"""A ticket's id is its holder's key (it reads, cancels and rates the ticket): no answer to a
request without a staff token of the hall carries the id of a ticket other than the one that
request issued or named. With `Authorization: Bearer` of the hall's staff, manager or admin the
snapshot and /ws/v1 carry ids as the contract shows them.

The first test drives a real server through a morning (issue, call, recall, transfer, finish,
no-show, cancel, ratings, a booking checked in) and records every anonymous answer: the hall
snapshot at each step, /ws/v1 and /ws/v2 (snapshots, live events, replays from ?since=), every
page, every public API call; then it searches the raw bytes of each for every ticket id of the
day."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from callnext.domain.clock import utcnow
from callnext.domain.model import Role
from callnext.live import protocol
from callnext.live.hub import public_channel
from callnext.runtime.config import Settings
from callnext.store import accounts
from callnext.store.database import Database
from callnext.web.keys import HUB

from ..helpers import FRAME_WAIT_S, Api, frames, wait_until
from .test_api_appointments import book, enable, first_slot, move
from .test_api_auth import add_north_hall
from .test_api_ratings import app_and_db

HALL = "/api/v1/halls/demo"
V1, V2 = "/ws/v1/halls/demo", "/ws/v2/halls/demo"
PAGES = ("/", "/halls/demo/kiosk", "/halls/demo/kiosk?lang=en", "/halls/demo/display",
         "/halls/demo/display?lang=en&mode=voice", "/halls/demo/windows/1/display",
         "/halls/demo/windows/5/display", "/halls/demo/staff", "/halls/demo/dashboard",
         "/halls/demo/settings", "/halls/demo/book", "/halls/demo/windows/1/rate",
         "/halls/demo/windows/5/rate")  # fmt: skip
PUBLIC_API = ("/api/v1/halls", HALL, HALL + "/booking", HALL + "/slots?service=A", HALL + "/guides",
              HALL + "/windows/1/rateable", HALL + "/windows/5/rateable",
              "/api/v1/ratings/scale", "/healthz", "/metrics")  # fmt: skip


@dataclass
class Tap:
    """One anonymous stream connection, every frame it got kept as the raw text."""

    what: str
    ws: aiohttp.ClientWebSocketResponse
    texts: list[str] = field(default_factory=list)
    task: asyncio.Task[None] | None = None

    async def pump(self) -> None:
        async for msg in self.ws:
            if msg.type is aiohttp.WSMsgType.TEXT:
                self.texts.append(msg.data)

    def frames(self) -> list[dict[str, Any]]:
        return [json.loads(t) for t in self.texts]


@dataclass
class Seen:
    """Every anonymous answer of the morning: (what, its raw text, the ids it may carry)."""

    api: Api
    answers: list[tuple[str, str, frozenset[str]]] = field(default_factory=list)
    taps: list[Tap] = field(default_factory=list)

    def add(self, what: str, text: str, own: Iterable[str] = ()) -> None:
        self.answers.append((what, text, frozenset(own)))

    async def get(self, path: str, own: Iterable[str] = ()) -> str:
        """GET with no Authorization header."""
        async with self.api.session.get(self.api.base + path) as resp:
            text = await resp.text()
            assert resp.status == 200, (path, resp.status, text[:300])
        self.add(f"GET {path}", text, own)
        return text

    async def call(self, method: str, path: str, body: Any = None,
                   own: Iterable[str] = ()) -> Any:  # fmt: skip
        """A public call (no token); `own`: the ticket ids the request names."""
        status, payload = await self.api.request(method, path, body)
        assert status in (200, 201), (method, path, status, payload)
        self.add(f"{method} {path}", json.dumps(payload), own)
        return payload

    async def issue(self, service: str) -> dict[str, Any]:
        ticket = await self.call("POST", HALL + "/tickets", {"service": service})
        self.answers[-1] = (*self.answers[-1][:2], frozenset({ticket["id"]}))
        return ticket  # type: ignore[no-any-return]

    async def step(self) -> dict[str, Any]:
        """After each change: the snapshot, and a new connection's first frame on each stream."""
        snap = json.loads(await self.get(HALL))
        for path in (V1, V2):
            async with self.api.session.ws_connect(self.api.ws_base + path) as ws:
                msg = await ws.receive(FRAME_WAIT_S)
                self.add(f"first frame of {path}", msg.data)
        return snap  # type: ignore[no-any-return]

    async def open(self, path: str) -> Tap:
        ws = await self.api.session.ws_connect(self.api.ws_base + path)
        tap = Tap(path, ws)
        tap.task = asyncio.create_task(tap.pump())
        self.taps.append(tap)
        if "since=" not in path:  # its snapshot is taken before the morning's first change

            async def snapshot_in() -> bool:
                return bool(tap.texts)

            await wait_until(snapshot_in, timeout=30)
        return tap

    async def close_taps(self, seq: int) -> None:
        """Once every tap has seen `seq`, close them and keep their frames."""
        for tap in self.taps:

            async def arrived(tap: Tap = tap) -> bool:
                return bool(tap.texts) and json.loads(tap.texts[-1])["seq"] >= seq

            await wait_until(arrived, timeout=10)
            await tap.ws.close()
            assert tap.task is not None
            await tap.task
            self.answers += [(tap.what, text, frozenset()) for text in tap.texts]


def current(snap: dict[str, Any], window: int) -> Any:
    """The window's current ticket in a hall snapshot (None: nobody at it)."""
    return next(w["current"] for w in snap["windows"] if w["number"] == window)


async def checked_in(seen: Seen, db: Database) -> tuple[dict[str, Any], dict[str, Any]]:
    """A booking of A whose slot starts in 5 minutes, checked in at the kiosk: (the booking,
    the check-in's answer)."""
    await enable(seen.api, capacity=10)
    status, made = await book(seen.api, (await first_slot(seen.api))["start"])
    assert status == 201, made
    await move(db, made["id"], utcnow() + timedelta(minutes=5))
    answer = await seen.call("POST", HALL + "/checkin", {"code": made["code"]})
    seen.answers[-1] = (*seen.answers[-1][:2], frozenset({answer["ticket"]["id"]}))
    again = await seen.call("POST", HALL + "/checkin", {"code": made["code"]})
    assert again["again"] is True
    seen.answers[-1] = (*seen.answers[-1][:2], frozenset({answer["ticket"]["id"]}))
    return made, answer


async def morning(seen: Seen, db: Database) -> list[dict[str, Any]]:
    """Issue, call, recall, transfer, finish every way, cancel, rate, check a booking in; the
    anonymous snapshot and streams read after each change. Returns the tickets issued."""
    api = seen.api
    c1, c2, a1, a2, b1 = [await seen.issue(s) for s in "CCAAB"]
    assert (await api.window(1, "call-next"))[0] == 200  # a1 at window 1
    snap = await seen.step()
    assert current(snap, 1)["number"] == a1["number"]
    await api.window(1, "recall")
    await seen.step()
    await api.window(7, "call-next")  # c1 at window 7 (A, B and C: the earliest)
    await seen.step()
    half = (await api.hall())["seq"]
    await seen.open(f"{V1}?since={half}")
    await seen.open(f"{V2}?since={half}")
    await api.window(1, "transfer", {"service": "B"})  # a1 waits again, for B
    await seen.step()
    await api.window(5, "call-next")  # a1 (issued before b1) at window 5
    await api.window(1, "call-next")  # a2 at window 1
    await seen.step()
    await api.window(1, "finish", {"outcome": "completed"})
    await api.window(5, "call-next", {"finish": "pending"})  # a1 pending, b1 called
    await api.window(7, "call-next", {"finish": "no_show"})  # c1 no-show, c2 called
    await seen.step()
    await seen.call("POST", f"/api/v1/tickets/{a2['id']}/rating", {"score": 4}, own=[a2["id"]])
    await seen.call("GET", f"/api/v1/tickets/{a2['id']}/rating", own=[a2["id"]])
    await seen.get(HALL + "/windows/5/rateable")
    await api.window(5, "finish", {"outcome": "completed"})  # b1 finished at window 5
    await seen.get(HALL + "/windows/5/rateable")
    await seen.call("POST", HALL + "/windows/5/rating", {"number": b1["number"], "score": 2})
    a3 = await seen.issue("A")
    await seen.call("GET", f"/api/v1/tickets/{a3['id']}", own=[a3["id"]])
    await seen.call("POST", f"/api/v1/tickets/{a3['id']}/cancel", own=[a3["id"]])
    await api.request("POST", f"/api/v1/tickets/{a1['id']}/complete", token=await api.login("w5"))
    await api.window(2, "pause", {"reason": "lunch"})
    await api.window(2, "resume")
    made, answer = await checked_in(seen, db)
    booked = answer["ticket"]
    await seen.call("GET", f"/api/v1/appointments/{made['id']}", own=[booked["id"]])
    await api.window(1, "call-next")  # the booked ticket at window 1
    await seen.step()
    for path in PAGES:
        await seen.get(path)
    for path in PUBLIC_API:
        await seen.get(path)
    await seen.get(f"/t/{c2['id']}", own=[c2["id"]])
    await seen.get(f"/t/{c2['id']}?lang=en", own=[c2["id"]])
    await seen.get(f"/a/{made['id']}", own=[booked["id"]])
    return [a1, a2, b1, c1, c2, a3, booked]


async def replays(seen: Seen, seq: int) -> None:
    """?since=0 on both streams: the whole morning replayed from the event log."""
    for path in (V1, V2):
        async with seen.api.session.ws_connect(f"{seen.api.ws_base}{path}?since=0") as ws:
            got = await frames(ws, seq)
        assert [f["seq"] for f in got] == list(range(1, seq + 1))
        seen.answers += [(f"{path}?since=0", json.dumps(f), frozenset()) for f in got]


async def test_no_anonymous_answer_carries_another_tickets_id(settings: Settings) -> None:
    async with app_and_db(settings) as (api, db):
        seen = Seen(api)
        live = [await seen.open(V1), await seen.open(V2), await seen.open(f"{V1}?since=0")]
        tickets = await morning(seen, db)
        seq = (await api.hall())["seq"]
        await seen.close_taps(seq)
        await replays(seen, seq)
        day = await api.day_tickets()
    ids = {t["id"] for t in day}
    assert ids == {t["id"] for t in tickets}, "the test knows every ticket of the day"
    leaks = sorted({(what, tid) for what, text, own in seen.answers for tid in ids - own
                    if tid in text})  # fmt: skip
    assert not leaks, f"{len(leaks)} (answer, id) leaks: {leaks[:5]}"
    # The morning did show tickets at windows, and every kind of ticket event, to the public.
    events = {f.get("event") for f in live[0].frames()}
    assert {protocol.TICKET_CALLED, protocol.TICKET_TRANSFERRED, protocol.TICKET_RATED,
            protocol.TICKET_CANCELLED, protocol.TICKET_COMPLETED} <= events  # fmt: skip
    shown = [f["ticket"] for f in live[0].frames() if f.get("ticket")]
    assert shown
    assert all("id" not in t and t["number"] for t in shown)
    # An anonymous v1 connection gets the very frames v2 sends (one channel, one encoding).
    assert live[0].texts[1:] == live[1].texts[1:]
    assert live[0].frames()[0] == live[1].frames()[0]


async def test_the_hall_staff_get_ids_on_the_snapshot_and_v1(api: Api, db_url: str) -> None:
    await add_admin(db_url)
    issued = await api.issue("A")
    await api.window(1, "call-next")
    for who in ("w1", "w5", "manager", "root"):  # any staff of the hall, any window; an admin
        token = await api.login(who, "rootpass" if who == "root" else "demo")
        snap = await staff_get(api, HALL, token)
        assert current(snap, 1)["id"] == issued["id"], who
    token = await api.login("w5")
    headers = {"Authorization": f"Bearer {token}"}
    async with api.session.ws_connect(api.ws_base + V1, headers=headers) as ws:
        [snap] = await frames(ws, 1)
        assert current(snap["hall"], 1)["id"] == issued["id"]
        second = await api.issue("B")
        [event] = await frames(ws, 1)
        assert event["ticket"]["id"] == second["id"]
    async with api.session.ws_connect(f"{api.ws_base}{V1}?since=0", headers=headers) as ws:
        replay = await frames(ws, 3)
    assert [f["ticket"]["id"] for f in replay] == [issued["id"], issued["id"], second["id"]]
    # /ws/v2 is the id-less stream whoever opens it.
    async with api.session.ws_connect(api.ws_base + V2, headers=headers) as ws:
        [snap] = await frames(ws, 1)
    assert "id" not in current(snap["hall"], 1)


async def add_admin(db_url: str) -> None:
    db = Database(db_url)
    try:
        await accounts.add_user(db, "root", "rootpass", Role.ADMIN, None)
    finally:
        await db.close()


async def staff_get(api: Api, path: str, token: str) -> dict[str, Any]:
    status, body = await api.request("GET", path, token=token)
    assert status == 200, body
    return body  # type: ignore[no-any-return]


async def v1_status(api: Api, authorization: str) -> tuple[int, dict[str, Any] | None]:
    """Open /ws/v1 with this Authorization header: (101, its first frame) or (the refusal, None)."""
    headers = {"Authorization": authorization}
    try:
        async with api.session.ws_connect(api.ws_base + V1, headers=headers) as ws:
            [first] = await frames(ws, 1)
            return 101, first
    except aiohttp.WSServerHandshakeError as exc:
        return exc.status, None


async def test_another_halls_token_is_anonymous_a_dead_token_is_refused(
    api: Api, db_url: str
) -> None:
    """A live token of another hall (staff or manager) gets the public view, as does another
    scheme (a proxy's Basic auth); an unknown or ended Bearer token gets 401 bad_token, on the
    snapshot and on the upgrade, like any staff call."""
    await add_north_hall(db_url)
    issued = await api.issue("A")
    await api.window(1, "call-next")
    ended = await api.login("w2")
    assert (await api.request("POST", "/api/v1/logout", token=ended))[0] == 200
    north = [await api.login(user, "north-pass") for user in ("n1", "nmanager")]
    public = [f"Bearer {token}" for token in north] + ["Basic dzE6ZGVtbw=="]
    for authorization in public:
        status, snap = await api.request("GET", HALL, headers={"Authorization": authorization})
        assert status == 200, snap
        assert current(snap, 1)["number"] == issued["number"]
        assert "id" not in current(snap, 1)
        assert issued["id"] not in json.dumps(snap)
        code, first = await v1_status(api, authorization)
        assert code == 101
        assert issued["id"] not in json.dumps(first)
    for authorization in (f"Bearer {ended}", "Bearer not-a-token", "Bearer "):
        status, body = await api.request("GET", HALL, headers={"Authorization": authorization})
        assert status == 401, body
        assert body["error"]["code"] in ("bad_token", "missing_token")
        assert (await v1_status(api, authorization))[0] == 401
    status, body = await api.request("GET", "/api/v1/halls/nowhere", token="not-a-token")
    assert (status, body["error"]["code"]) == (404, "hall_not_found")  # the hall comes first


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_anonymous_v1_and_v2_share_the_public_channel(api: Api) -> None:
    """Frames are encoded once per channel: an anonymous v1 connection joins the hall's public
    channel, beside v2's, and only a staff connection joins the channel with ids."""
    assert api.app is not None
    hub = api.app[HUB]
    public, full = hub.channel(public_channel("demo")), hub.channel("demo")
    token = await api.login("w1")
    async with contextlib.AsyncExitStack() as stack:
        for path, headers in ((V1, {}), (V2, {}), (V1, {"Authorization": f"Bearer {token}"})):
            ws = await stack.enter_async_context(
                api.session.ws_connect(api.ws_base + path, headers=headers)
            )
            await frames(ws, 1)

        async def attached() -> bool:
            return len(public.subscribers) + len(full.subscribers) == 3

        await wait_until(attached)
        assert (len(public.subscribers), len(full.subscribers)) == (2, 1)
